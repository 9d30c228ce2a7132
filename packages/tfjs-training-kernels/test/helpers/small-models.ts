import * as tfl from '@tensorflow/tfjs-layers';

/** Small stand-ins of the study's models, built from the same layer kinds (16x16 inputs). */
export const smallModels: Record<string, () => tfl.LayersModel> = {
  // Initial: conv3x3 'same' + relu, avgpool 2, dense.
  initial: () => {
    const m = tfl.sequential();
    m.add(tfl.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }));
    m.add(tfl.layers.averagePooling2d({ poolSize: 2 }));
    m.add(tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }));
    m.add(tfl.layers.averagePooling2d({ poolSize: 2 }));
    m.add(tfl.layers.flatten());
    m.add(tfl.layers.dense({ units: 12, activation: 'relu' }));
    m.add(tfl.layers.dense({ units: 5 }));
    return m;
  },
  // New: adds maxpool 2 and dropout (seeded, so both backends drop the same units).
  new: () => {
    const m = tfl.sequential();
    m.add(tfl.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }));
    m.add(tfl.layers.averagePooling2d({ poolSize: 2 }));
    m.add(tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tfl.layers.dropout({ rate: 0.2, seed: 7 }));
    m.add(tfl.layers.flatten());
    m.add(tfl.layers.dense({ units: 12, activation: 'relu' }));
    m.add(tfl.layers.dense({ units: 5 }));
    return m;
  },
  // ResNet-18 pieces: 7x7/2 conv, BN, 3x3/2 maxpool, a strided basic block with a 1x1/2 shortcut,
  // global average pooling.
  resnet: () => {
    const inp = tfl.input({ shape: [16, 16, 3] });
    let x = tfl.layers.zeroPadding2d({ padding: 3 }).apply(inp) as tfl.SymbolicTensor;
    x = tfl.layers.conv2d({ filters: 8, kernelSize: 7, strides: 2, useBias: false }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.activation({ activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.zeroPadding2d({ padding: 1 }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2 }).apply(x) as tfl.SymbolicTensor;
    let y = tfl.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', useBias: false }).apply(x) as tfl.SymbolicTensor;
    y = tfl.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 }).apply(y) as tfl.SymbolicTensor;
    y = tfl.layers.activation({ activation: 'relu' }).apply(y) as tfl.SymbolicTensor;
    y = tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', useBias: false }).apply(y) as tfl.SymbolicTensor;
    y = tfl.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 }).apply(y) as tfl.SymbolicTensor;
    let s = tfl.layers.conv2d({ filters: 16, kernelSize: 1, strides: 2, useBias: false }).apply(x) as tfl.SymbolicTensor;
    s = tfl.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 }).apply(s) as tfl.SymbolicTensor;
    x = tfl.layers.activation({ activation: 'relu' }).apply(tfl.layers.add().apply([y, s])) as tfl.SymbolicTensor;
    x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 5 }).apply(x) as tfl.SymbolicTensor;
    return tfl.model({ inputs: inp, outputs: out });
  },
};
