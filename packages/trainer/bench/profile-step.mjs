// Per-kernel wall time of one training step on wasm (tf.profile), for finding what dominates.
// Usage: node bench/profile-step.mjs [model] [threads]
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@regstudy/trainer/node';
import { localModels } from './models.mjs';
import { trainStep } from './train-step.mjs';

const name = process.argv[2] ?? 'initial';
const threads = Number(process.argv[3] ?? 2);
await useBackend('wasm', { threads });
const batch = 64;
const { train } = trainStep(localModels[name](), batch);
train();
train();
const prof = await tf.profile(train);
const by = new Map();
for (const k of prof.kernels) {
  const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
  const e = by.get(key) ?? { ms: 0, n: 0 };
  e.ms += k.kernelTimeMs; e.n++;
  by.set(key, e);
}
const byName = new Map();
for (const k of prof.kernels) byName.set(k.name, (byName.get(k.name) ?? 0) + k.kernelTimeMs);
const total = prof.kernels.reduce((s, k) => s + k.kernelTimeMs, 0);
console.log(`${name} threads=${threads} kernels=${prof.kernels.length} total kernel ms=${total.toFixed(1)}`);
for (const [k, v] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${v.toFixed(1).padStart(8)} ${k}`);
console.log('--- by shape');
for (const [k, v] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(process.env.TOP ?? 25))) console.log(`  ${v.ms.toFixed(1).padStart(8)} x${v.n} ${k}`);
const t0 = performance.now(); for (let i = 0; i < 3; i++) train(); console.log('step ms', ((performance.now() - t0) / 3).toFixed(1));
