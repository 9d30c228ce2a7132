import { createWasmGemm } from '@regstudy/trainer/node';
import { performance } from 'node:perf_hooks';
const memory = new WebAssembly.Memory({ initial: 2000 });
let top = 1024; const alloc = (b) => { const p = top; top += Math.ceil(b / 64) * 64; return p; };
const variants = process.argv.slice(2);
const gs = variants.map((v) => { const [, mr, nr, ku, r] = /^(\d+)x(\d+)k(\d+)(r?)$/.exec(v); return createWasmGemm(memory, { alloc, kernel: { mr: +mr, nr: +nr, ku: +ku, relaxed: r === 'r' } }); });
const c = alloc(120 * 2048 * 4);
const f = new Float32Array(memory.buffer); for (let i = 0; i < f.length; i++) f[i] = (i % 7) * 0.1;
for (let round = 0; round < 5; round++) {
  const out = [];
  for (const [vi, g] of gs.entries()) {
    const ex = g.ex; const mc = Math.floor(120 / g.kernel.mr) * g.kernel.mr, nc = 512, kc = 256;
    for (let w = 0; w < 3; w++) ex.macro(mc, nc, kc, g.pa, g.pb, c, nc * 4, 0, g.scratch);
    const t0 = performance.now(); let it = 0;
    while (performance.now() - t0 < 200) { ex.macro(mc, nc, kc, g.pa, g.pb, c, nc * 4, 1, g.scratch); it++; }
    const ms = (performance.now() - t0) / it;
    out.push(`${variants[vi]} ${(2 * mc * nc * kc / ms / 1e6).toFixed(1)}`);
  }
  console.log(out.join(' | '));
}
