import * as tf from '@tensorflow/tfjs-core';
import { useBackend, createBackendThreadedGemm, installOwnGemm } from '@regstudy/trainer/node';
import { performance } from 'node:perf_hooks';
await useBackend('wasm', { threads: 2 });
const be = tf.backend();
const g = await createBackendThreadedGemm(be, { threads: 2 });
const t = {};
const wrap = (name, fn) => (...a) => { const t0 = performance.now(); const r = fn(...a); t[name] = (t[name] ?? 0) + performance.now() - t0; return r; };
installOwnGemm({
  gemm: g.gemm.bind(g), gemmSplitK: g.gemmSplitK.bind(g), im2col: g.im2col.bind(g), col2im: g.col2im.bind(g),
  sgdMomentum: g.sgdMomentum.bind(g), maxPoolGrad: g.maxPoolGrad.bind(g), fewChannelFilterGrad: g.fewChannelFilterGrad.bind(g), channel: g.channel.bind(g),
  gemmBatch: wrap('gemmBatch', g.gemmBatch.bind(g)),
  winogradTiles: (name, ...a) => wrap(name, g.winogradTiles.bind(g))(name, ...a),
  winogradFilter: (name, ...a) => wrap(name, g.winogradFilter.bind(g))(name, ...a),
}, be);
for (const [n, h, w, c] of [[64, 16, 16, 64], [64, 8, 8, 128], [64, 4, 4, 256]]) {
  const x = tf.randomNormal([n, h, w, c]); const f = tf.randomNormal([3, 3, c, c]);
  const base = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1] };
  for (const [name, run] of Object.entries({
    fwd: () => tf.engine().runKernel('Conv2D', { x, filter: f }, base),
    dx: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: x, filter: f }, { ...base, inputShape: x.shape }),
    dw: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: x }, { ...base, filterShape: f.shape }),
  })) {
    for (let i = 0; i < 3; i++) tf.dispose(run());
    for (const k of Object.keys(t)) delete t[k];
    const t0 = performance.now(); const N = 7;
    for (let i = 0; i < N; i++) tf.dispose(run());
    const total = (performance.now() - t0) / N;
    console.log(`${name} [${n},${h},${w},${c}] total ${total.toFixed(2)} ms: ` + Object.entries(t).map(([k, v]) => `${k} ${(v / N).toFixed(2)}`).join(', ') + `; GEMM GFLOP/s ${(36 * 2 * n * Math.ceil(h/4) * Math.ceil(w/4) * c * c / 1e6 / (t.gemmBatch / N)).toFixed(1)}`);
  }
  tf.dispose([x, f]);
}
await g.dispose();
process.exit(0);
