// The study's three models for the benchmark, in tfjs-layers (NHWC, logits out), as described in
// shared/paper/STUDY-NOTES.md. Used only when @regstudy/architectures is not built yet.
import * as tfl from '@tensorflow/tfjs-layers';

const conv = (filters, extra = {}) =>
  tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', ...extra });

export function initial() {
  const m = tfl.sequential();
  m.add(conv(10, { inputShape: [64, 64, 3] }));
  m.add(tfl.layers.averagePooling2d({ poolSize: 2 }));
  m.add(conv(20));
  m.add(tfl.layers.averagePooling2d({ poolSize: 2 }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dense({ units: 2000, activation: 'relu' }));
  m.add(tfl.layers.dense({ units: 200 }));
  return m;
}

export function newModel() {
  const m = tfl.sequential();
  m.add(conv(10, { inputShape: [64, 64, 3] }));
  m.add(tfl.layers.averagePooling2d({ poolSize: 2 }));
  m.add(conv(20));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(conv(30));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.dropout({ rate: 0.2 }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dense({ units: 1000, activation: 'relu' }));
  m.add(tfl.layers.dense({ units: 200 }));
  return m;
}

const bn = () => tfl.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 });
const relu = () => tfl.layers.activation({ activation: 'relu' });

function basicBlock(x, filters, stride) {
  let y = tfl.layers.conv2d({ filters, kernelSize: 3, strides: stride, padding: 'same', useBias: false }).apply(x);
  y = relu().apply(bn().apply(y));
  y = bn().apply(tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false }).apply(y));
  let shortcut = x;
  if (stride !== 1 || x.shape[3] !== filters) {
    shortcut = bn().apply(tfl.layers.conv2d({ filters, kernelSize: 1, strides: stride, useBias: false }).apply(x));
  }
  return relu().apply(tfl.layers.add().apply([y, shortcut]));
}

export function resnet18() {
  const input = tfl.input({ shape: [64, 64, 3] });
  let x = tfl.layers.zeroPadding2d({ padding: 3 }).apply(input);
  x = tfl.layers.conv2d({ filters: 64, kernelSize: 7, strides: 2, useBias: false }).apply(x);
  x = relu().apply(bn().apply(x));
  x = tfl.layers.zeroPadding2d({ padding: 1 }).apply(x);
  x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2 }).apply(x);
  for (const [filters, stride] of [[64, 1], [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2], [512, 1]]) {
    x = basicBlock(x, filters, stride);
  }
  x = tfl.layers.globalAveragePooling2d({}).apply(x);
  return tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 200 }).apply(x) });
}

export const localModels = { initial, new: newModel, resnet18 };
