/* global WebAssembly */
// Our GEMM (default 2x16 kernel) under several blockings kc/mc/nc, interleaved, one thread, a private memory.
// Usage: node bench/gemm-blocking.mjs m,n,k kc/mc/nc [kc/mc/nc ...]
import { createWasmGemm } from '@regstudy/tfjs-training-kernels/internal';
import { interleaved, median } from './interleaved.mjs';
const memory = new WebAssembly.Memory({ initial: 4000 });
let top = 1024; const alloc = (b) => { const p = top; top += Math.ceil(b / 64) * 64; return p; };
const [m, n, k] = (process.argv[2] ?? '16384,64,576').split(',').map(Number);
const a = alloc(m * k * 4), b = alloc(k * n * 4), c = alloc(m * n * 4);
new Float32Array(memory.buffer).fill(0.25);
const variants = {};
for (const spec of process.argv.slice(3)) { const [kc, mc, nc] = spec.split('/').map(Number); variants[spec] = createWasmGemm(memory, { alloc, blocking: { kc, mc, nc } }); }
const t = interleaved(Object.fromEntries(Object.keys(variants).map((v) => [v, () => {}])), (v) => variants[v].gemm(m, n, k, { ptr: a, ld: k }, { ptr: b, ld: n }, { ptr: c, ld: n }), 7);
console.log(Object.entries(t).map(([v, ts]) => `${v} ${(2 * m * n * k / median(ts) / 1e6).toFixed(1)}`).join(' | '));
