// Per-kernel wall time of one training step on wasm (tf.profile), for finding what dominates.
// Then the optimizer step alone (applyGradients on the step's gradients), with the fused momentum
// kernel (tfjs flag REGSTUDY_WASM_FUSED_SGD_MOMENTUM) off and on, interleaved.
// Usage: node bench/profile-step.mjs [model] [threads]   (OFF=<flag> runs the step with a flag off;
// PROFILE_STEPS=n averages n profiled steps)
// The models are @regstudy/architectures' (what `pnpm bench` measures) when it is built, else (or
// with LOCAL=1) bench/models.mjs.
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@regstudy/tfjs-training-kernels/node';
import { localModels } from './models.mjs';
import { trainStep } from './train-step.mjs';

const name = process.argv[2] ?? 'initial';
const threads = Number(process.argv[3] ?? 2);
await useBackend('wasm', { threads });
const batch = 64;
if (process.env.OFF) tf.env().set(process.env.OFF, false);
const arch = process.env.LOCAL ? null : await import('@regstudy/architectures').catch(() => null);
const model = arch ? arch.createModel(name) : localModels[name]();
console.log(`model ${name} from ${arch ? '@regstudy/architectures' : 'bench/models.mjs'}`);
const { train, opt, loss } = trainStep(model, batch);
train();
train();
// PROFILE_STEPS=n profiles n steps and prints per-step means (one step is noisy on a shared machine).
const profiled = Number(process.env.PROFILE_STEPS ?? 1);
const kernels = [];
for (let i = 0; i < profiled; i++) kernels.push(...(await tf.profile(train)).kernels.map((k) => ({ ...k, kernelTimeMs: k.kernelTimeMs / profiled })));
const by = new Map();
for (const k of kernels) {
  const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
  const e = by.get(key) ?? { ms: 0, n: 0 };
  e.ms += k.kernelTimeMs; e.n += 1 / profiled;
  by.set(key, e);
}
const byName = new Map();
for (const k of kernels) byName.set(k.name, (byName.get(k.name) ?? 0) + k.kernelTimeMs);
const total = kernels.reduce((s, k) => s + k.kernelTimeMs, 0);
console.log(`${name} threads=${threads} kernels=${kernels.length / profiled} total kernel ms=${total.toFixed(1)} (mean of ${profiled} profiled steps)`);
for (const [k, v] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${v.toFixed(1).padStart(8)} ${k}`);
console.log('--- by shape');
for (const [k, v] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(process.env.TOP ?? 25))) console.log(`  ${v.ms.toFixed(1).padStart(8)} x${v.n} ${k}`);
const t0 = performance.now(); for (let i = 0; i < 3; i++) train(); console.log('step ms', ((performance.now() - t0) / 3).toFixed(1));

if (process.env.OFF) tf.env().set(process.env.OFF, true);
const FUSED = 'REGSTUDY_WASM_FUSED_SGD_MOMENTUM';
const { grads, value } = tf.variableGrads(loss);
value.dispose();
const optimizerMs = { off: [], on: [] };
for (let r = 0; r < 7; r++) {
  for (const mode of ['off', 'on']) {
    tf.env().set(FUSED, mode === 'on');
    const p = await tf.profile(() => opt.applyGradients(grads));
    optimizerMs[mode].push({ kernels: p.kernels.reduce((s, k) => s + k.kernelTimeMs, 0), names: [...new Set(p.kernels.map((k) => k.name))].join('+') });
  }
}
tf.env().set(FUSED, true);
tf.dispose(Object.values(grads));
for (const mode of ['off', 'on']) {
  const ms = optimizerMs[mode].map((x) => x.kernels).sort((a, b) => a - b);
  console.log(`optimizer applyGradients kernel ms, ${FUSED} ${mode}: median ${ms[3].toFixed(2)} (min ${ms[0].toFixed(2)}, max ${ms[6].toFixed(2)}; kernels ${optimizerMs[mode][0].names})`);
}
