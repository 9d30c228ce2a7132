// Side-by-side (one process, interleaved) milliseconds of one wasm `MaxPoolGrad` call with the
// tfjs flag REGSTUDY_WASM_MAXPOOL_GRAD_WASM off (JavaScript pass) and on (generated wasm, split by
// image over the threads), on ResNet-18's 3x3/2 pool (given the forward output: early exit) and
// New's 2x2/2 pools. Usage: node bench/ab-max-pool-grad-kernel.mjs [threads] [rounds]
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@regstudy/tfjs-training-kernels/node';

const [threadsArg = '2', roundsArg = '15'] = process.argv.slice(2);
await useBackend('wasm', { threads: Number(threadsArg) });
const FLAG = 'REGSTUDY_WASM_MAXPOOL_GRAD_WASM';
const cases = [
  { name: 'resnet18 [64,34,34,64] 3x3/2 valid (+y)', shape: [64, 34, 34, 64], k: 3, s: 2, pad: 'valid' },
  { name: 'new [64,32,32,20] 2x2/2', shape: [64, 32, 32, 20], k: 2, s: 2, pad: 'valid' },
  { name: 'new [64,16,16,30] 2x2/2', shape: [64, 16, 16, 30], k: 2, s: 2, pad: 'valid' },
];
const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
for (const c of cases) {
  const size = c.shape.reduce((a, b) => a * b, 1);
  const xv = new Float32Array(size);
  for (let i = 0; i < size; i++) xv[i] = Math.max(0, Math.sin(i * 12.9898) * 43758.5453 % 1); // ReLU-like: many ties
  const x = tf.tensor4d(xv, c.shape);
  const y = tf.maxPool(x, c.k, c.s, c.pad);
  const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 1);
  const attrs = { filterSize: c.k, strides: c.s, pad: c.pad };
  const inputs = { dy, input: x, ...(c.k === 3 ? { output: y } : {}) };
  const run = (on) => {
    tf.env().set(FLAG, on);
    const t0 = performance.now();
    const out = tf.engine().runKernel('MaxPoolGrad', inputs, attrs);
    const ms = performance.now() - t0;
    return { out, ms };
  };
  const a = run(false);
  const b = run(true);
  const av = a.out.dataSync();
  const bv = b.out.dataSync();
  const same = av.every((v, i) => Object.is(v, bv[i]));
  tf.dispose([a.out, b.out]);
  const off = [];
  const on = [];
  for (let r = 0; r < Number(roundsArg); r++) {
    for (const flag of r % 2 === 0 ? [false, true] : [true, false]) {
      const { out, ms } = run(flag);
      (flag ? on : off).push(ms);
      out.dispose();
    }
  }
  console.log(`${c.name}: off ${median(off).toFixed(2)} ms, on ${median(on).toFixed(2)} ms (median of ${off.length}; same bits: ${same})`);
  tf.dispose([x, y, dy]);
}
tf.env().set(FLAG, true);
