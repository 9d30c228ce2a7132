import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@regstudy/trainer/node';
import { kernelMedians } from './interleaved.mjs';
await useBackend('wasm', { threads: 2 });
const cases = [
  ['fwd I', [64, 5120], [5120, 2000], false, false],
  ['dX I', [64, 2000], [5120, 2000], false, true],
  ['dW I', [64, 5120], [64, 2000], true, false],
  ['fwd N', [64, 1920], [1920, 1000], false, false],
  ['dX N', [64, 1000], [1920, 1000], false, true],
  ['dW N', [64, 1920], [64, 1000], true, false],
];
for (const [name, sa, sb, ta, tb] of cases) {
  const a = tf.randomNormal(sa), b = tf.randomNormal(sb);
  const m = ta ? sa[1] : sa[0], k = ta ? sa[0] : sa[1], n = tb ? sb[0] : sb[1];
  const t = kernelMedians({ x: () => {} }, () => tf.matMul(a, b, ta, tb), 11);
  console.log(`${name} m=${m} n=${n} k=${k}: ${t.x.toFixed(2)} ms, ${(2 * m * n * k / t.x / 1e6).toFixed(1)} GFLOP/s`);
  tf.dispose([a, b]);
}
const x = tf.randomNormal([64, 1]), y = tf.randomNormal([64, 200]);
const t = kernelMedians({ x: () => {} }, () => tf.mul(x, y), 11);
console.log(`mul [64,1]x[64,200]: ${t.x.toFixed(3)} ms`);
