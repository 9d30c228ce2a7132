// Single-thread GFLOP/s of our generated SIMD128 GEMM (several micro-kernel shapes) vs tfjs
// `tf.matMul` on the wasm backend (XNNPACK, with our BatchMatMul kernel's transposes), both on the
// same wasm heap, calls interleaved in one process, median of `rounds`.
// Usage: node bench/gemm-probe.mjs [rounds=7] [variants=2x16k1,4x8k1] [threads=1] [kc=256] [mc=120] [nc=2048]
// Writes bench/results/gemm-probe.json (-2t with 2 threads: tfjs then also runs 2 threads; -relaxed
// where the engine validates relaxed SIMD, whose variants are named with an r, e.g. 2x16k1r).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@regstudy/tfjs-training-kernels/node';
import { createBackendGemm, createBackendThreadedGemm, relaxedSimdSupported } from '@regstudy/tfjs-training-kernels/internal';
import { interleaved, median } from './interleaved.mjs';

const [roundsArg = '7', variantsArg = '2x16k1,4x8k1', threadsArg = '1', kcArg = '256', mcArg = '120', ncArg = '2048'] = process.argv.slice(2);
const rounds = Number(roundsArg);
const threads = Number(threadsArg);
await useBackend('wasm', { threads });
// tf.matMul must stay on XNNPACK (our BatchMatMul kernel's transposes + XNNPACK's GEMM), not on
// the own GEMM that useBackend installed.
tf.env().set('REGSTUDY_WASM_OWN_GEMM', false);
const backend = tf.backend();

// name, m, n, k, transA, transB (stored A is [m,k] or [k,m] when transposed; B [k,n] or [n,k])
const shapes = [
  ['1024^3', 1024, 1024, 1024, false, false],
  ['[64,5120]@[5120,2000]', 64, 2000, 5120, false, false],
  ['[64,5120]^T@[64,2000]', 5120, 2000, 64, true, false],
  ['[64,2000]@[5120,2000]^T', 64, 5120, 2000, false, true],
  ['[65536,27]@[27,10]', 65536, 10, 27, false, false],
  ['[16384,576]@[576,64]', 16384, 64, 576, false, false],
  ['[576,16384]@[16384,64]', 576, 64, 16384, false, false],
  ['[16384,576]^T@[16384,64]', 576, 64, 16384, true, false],
  ['[256,4608]@[4608,512]', 256, 512, 4608, false, false],
];

// With threads > 1: our GEMM on `threads` threads (workers on the shared heap).
const gemms = Object.fromEntries(
  await Promise.all(
    variantsArg.split(',').map(async (v) => {
      const [, mr, nr, ku, relaxed, slabs = '2'] = /^(\d+)x(\d+)k(\d+)(r?)(?:s(\d+))?$/.exec(v) ?? [];
      if (mr === undefined) throw new Error(`variant '${v}': expected e.g. 6x8k2 (r suffix: relaxed; s<N>: slabs per thread)`);
      const kernel = { mr: Number(mr), nr: Number(nr), ku: Number(ku), relaxed: relaxed === 'r' };
      const blocking = { kc: Number(kcArg), mc: Number(mcArg), nc: Number(ncArg) };
      return [v, threads > 1 ? await createBackendThreadedGemm(backend, { kernel, blocking, threads, slabsPerThread: Number(slabs) }) : createBackendGemm(backend, { kernel, blocking })];
    }),
  ),
);

const offset = (t) => backend.dataIdMap.get(t.dataId).memoryOffset;

/** Max |C - ref| / max|C_ref| over sampled entries (all of C when small), ref in float64. */
function sampledError(cVals, aVals, bVals, m, n, k, ta, tb) {
  const total = m * n;
  const idx = total <= 20000 ? Array.from({ length: total }, (_, i) => i) : Array.from({ length: 4000 }, (_, i) => (i === 0 ? 0 : i === 1 ? total - 1 : Math.floor(Math.random() * total)));
  let scale = 0;
  let err = 0;
  for (const e of idx) {
    const i = Math.floor(e / n);
    const j = e % n;
    let s = 0;
    for (let p = 0; p < k; p++) s += aVals[ta ? p * m + i : i * k + p] * bVals[tb ? j * k + p : p * n + j];
    scale = Math.max(scale, Math.abs(s));
    err = Math.max(err, Math.abs(cVals[e] - s));
  }
  return err / scale;
}

const rows = [];
for (const [name, m, n, k, ta, tb] of shapes) {
  const a = tf.randomUniform(ta ? [k, m] : [m, k], -1, 1);
  const b = tf.randomUniform(tb ? [n, k] : [k, n], -1, 1);
  const c = tf.zeros([m, n]);
  const aVals = a.dataSync();
  const bVals = b.dataSync();
  const flop = 2 * m * n * k;
  const run = (v) => {
    if (v === 'xnnpack') {
      const y = tf.matMul(a, b, ta, tb);
      y.dataSync();
      y.dispose();
    } else {
      gemms[v].gemm(m, n, k, { ptr: offset(a), ld: ta ? m : k, trans: ta }, { ptr: offset(b), ld: tb ? k : n, trans: tb }, { ptr: offset(c), ld: n });
    }
  };
  const variants = Object.fromEntries(['xnnpack', ...Object.keys(gemms)].map((v) => [v, () => undefined]));
  const times = interleaved(variants, run, rounds);
  const row = { shape: name, m, n, k, transA: ta, transB: tb, gflops: {}, ms: {}, maxRelError: {} };
  for (const v of Object.keys(variants)) {
    const ms = median(times[v]);
    row.ms[v] = Number(ms.toFixed(3));
    row.gflops[v] = Number((flop / ms / 1e6).toFixed(2));
    let cVals;
    if (v === 'xnnpack') {
      const y = tf.matMul(a, b, ta, tb);
      cVals = y.dataSync();
      y.dispose();
    } else {
      run(v);
      cVals = c.dataSync().slice();
    }
    row.maxRelError[v] = sampledError(cVals, aVals, bVals, m, n, k, ta, tb);
    if (!(row.maxRelError[v] <= 1e-5)) console.error(`!! ${name} ${v}: max rel error ${row.maxRelError[v]}`);
  }
  const best = Object.keys(gemms).reduce((x, y) => (row.gflops[y] > row.gflops[x] ? y : x));
  row.best = best;
  row.speedup = Number((row.gflops[best] / row.gflops.xnnpack).toFixed(2));
  rows.push(row);
  console.log(
    `${name.padEnd(28)} xnnpack ${String(row.gflops.xnnpack).padStart(6)} | ` +
      Object.keys(gemms).map((v) => `${v} ${String(row.gflops[v]).padStart(6)}`).join(' | ') +
      ` GFLOP/s | best ${best} x${row.speedup} | err ${Math.max(...Object.values(row.maxRelError)).toExponential(1)}`,
  );
  tf.dispose([a, b, c]);
}
const result = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model,
  threads,
  rounds,
  loadavg: loadavg(),
  blocking: { kc: Number(kcArg), mc: Number(mcArg), nc: Number(ncArg) },
  numTensors: tf.memory().numTensors,
  rows,
};
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; tensors left ${tf.memory().numTensors}`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
// -relaxed: an engine with relaxed SIMD (Node >= 22, or Node 20 with --experimental-wasm-relaxed-simd)
const suffix = `${threads > 1 ? `-${threads}t` : ''}${relaxedSimdSupported() ? '-relaxed' : ''}`;
writeFileSync(new URL(`./results/gemm-probe${suffix}.json`, import.meta.url), JSON.stringify({ ...result, relaxedSimd: relaxedSimdSupported() }, null, 2) + '\n');
for (const g of Object.values(gemms)) await g.dispose?.();
