import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@regstudy/trainer/node';
await useBackend('wasm', { threads: 2 });
const bf = (x, dy, fs, strides, pad) => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: fs });
function banded(x, dy, k, s, padT, padL, bands) {
  return tf.tidy(() => {
    const [n, h, w, ci] = x.shape; const [, ho, wo, co] = dy.shape;
    const bottom = Math.max(0, (ho - 1) * s + k - h - padT), right = Math.max(0, (wo - 1) * s + k - w - padL);
    const xp = tf.pad(x, [[0, 0], [padT, bottom], [padL, right], [0, 0]]);
    const parts = [];
    const step = Math.ceil(ho / bands);
    for (let y0 = 0; y0 < ho; y0 += step) {
      const y1 = Math.min(ho, y0 + step);
      const xb = tf.slice(xp, [0, y0 * s, 0, 0], [n, (y1 - 1) * s + k, -1, ci].map((v, i) => (i === 1 ? v - y0 * s : v)));
      const db = tf.slice(dy, [0, y0, 0, 0], [n, y1 - y0, wo, co]);
      parts.push(bf(xb, db, [k, k, ci, co], [s, s], 'valid'));
    }
    return tf.addN(parts);
  });
}
const cases = [['new L1', [64,64,64,3], 10, 3, 1, 1, 1], ['new L2', [64,32,32,10], 20, 3, 1, 1, 1], ['r18 16x16', [64,16,16,64], 64, 3, 1, 1, 1], ['r18 8x8', [64,8,8,128],128,3,1,1,1], ['r18 stem', [64,70,70,3], 64, 7, 2, 0, 0]];
for (const [label, xs, co, k, s, pT, pL] of cases) {
  const x = tf.randomNormal(xs);
  const ho = Math.floor((xs[1] + 2 * pT - k) / s) + 1;
  const dy = tf.randomNormal([xs[0], ho, ho, co]);
  const pad = pT === 0 ? 'valid' : 'same';
  const ref = bf(x, dy, [k, k, xs[3], co], [s, s], pad);
  const res = {};
  for (const B of [1, 2, 4, 8, 16]) {
    if (B > ho) continue;
    const t = [];
    for (let i = 0; i < 5; i++) { const t0 = performance.now(); const g = B === 1 ? bf(x, dy, [k, k, xs[3], co], [s, s], pad) : banded(x, dy, k, s, pT, pL, B); g.dataSync(); t.push(performance.now() - t0); if (i === 0 && B > 1) { const e = tf.tidy(() => tf.max(tf.abs(tf.sub(g, ref))).dataSync()[0] / tf.max(tf.abs(ref)).dataSync()[0]); res['err' + B] = e.toExponential(1); } g.dispose(); }
    res[B] = [...t].sort((a, b) => a - b)[2].toFixed(1);
  }
  console.log(label, JSON.stringify(res));
  tf.dispose([x, dy, ref]);
}
