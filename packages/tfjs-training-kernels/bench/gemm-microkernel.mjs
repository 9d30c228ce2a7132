// Rate of the generated macro-kernel alone (packed panels already in cache, no packing), per
// micro-kernel shape, shapes interleaved: how close each MR x NR x k-unroll gets to the core's
// SIMD128 peak (16 flop/cycle: 2 mul + 2 add pipes x 4 lanes). One thread, a private memory.
// Usage: node bench/gemm-microkernel.mjs [shapes=4x8k1,2x16k1,6x8k1,4x16k1,8x8k1,6x8k2] [rounds=5]
/* global WebAssembly */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createWasmGemm } from '@regstudy/tfjs-training-kernels/internal';

const [shapesArg = '4x8k1,2x16k1,3x8k1,6x8k1,4x16k1,8x8k1,6x8k2,4x8k2', roundsArg = '5'] = process.argv.slice(2);
const memory = new WebAssembly.Memory({ initial: 2000 });
let top = 1024;
const alloc = (bytes) => {
  const p = top;
  top += Math.ceil(bytes / 64) * 64;
  return p;
};
const names = shapesArg.split(',');
const gemms = names.map((v) => {
  const [, mr, nr, ku, r] = /^(\d+)x(\d+)k(\d+)(r?)$/.exec(v) ?? [];
  if (mr === undefined) throw new Error(`shape '${v}': expected e.g. 4x8k1`);
  return createWasmGemm(memory, { alloc, kernel: { mr: Number(mr), nr: Number(nr), ku: Number(ku), relaxed: r === "r" } });
});
const [nc, kc] = [512, 256];
const c = alloc(120 * nc * 4);
new Float32Array(memory.buffer).fill(0.5);
for (let round = 0; round < Number(roundsArg); round++) {
  const out = [];
  for (const [i, g] of gemms.entries()) {
    const mc = Math.floor(120 / g.kernel.mr) * g.kernel.mr;
    const { pa, pb, scratch } = g.buffers;
    const run = () => g.exports.macro(mc, nc, kc, pa, pb, c, nc * 4, 1, scratch);
    for (let w = 0; w < 3; w++) run();
    const t0 = performance.now();
    let calls = 0;
    while (performance.now() - t0 < 150) {
      run();
      calls++;
    }
    out.push(`${names[i]} ${((2 * mc * nc * kc * calls) / (performance.now() - t0) / 1e6).toFixed(1)}`);
  }
  console.log(`${out.join(' | ')} GFLOP/s`);
}
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
