// FALLBACK for @regstudy/architectures createModel: the paper's Initial and New models only.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export interface FallbackModelOptions {
  numClasses: number;
  inputShape: [number, number, number];
  seed: number;
}

/**
 * Initial: conv 3->10 k3 same, relu, avgpool 2, conv 10->20 k3 same, relu, avgpool 2, fc 2000, relu, fc classes.
 * New: conv 10, avgpool 2, conv 20, maxpool 2, conv 30, maxpool 2, dropout 0.2, fc 1000, relu, fc classes.
 * Outputs logits.
 */
export function createFallbackModel(name: string, opts: FallbackModelOptions): tfl.LayersModel {
  let seed = opts.seed * 100;
  const init = (): ReturnType<typeof tfl.initializers.heNormal> => tfl.initializers.heNormal({ seed: seed++ });
  const conv = (filters: number, first = false): tfl.layers.Layer =>
    tfl.layers.conv2d({
      filters,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(),
      ...(first ? { inputShape: opts.inputShape } : {}),
    });
  const m = tfl.sequential({ name: `${name}_fallback` });
  if (name === 'initial') {
    m.add(conv(10, true));
    m.add(tfl.layers.averagePooling2d({ poolSize: 2 }));
    m.add(conv(20));
    m.add(tfl.layers.averagePooling2d({ poolSize: 2 }));
    m.add(tfl.layers.flatten());
    m.add(tfl.layers.dense({ units: 2000, activation: 'relu', kernelInitializer: init() }));
  } else if (name === 'new') {
    m.add(conv(10, true));
    m.add(tfl.layers.averagePooling2d({ poolSize: 2 }));
    m.add(conv(20));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    m.add(conv(30));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tfl.layers.dropout({ rate: 0.2, seed: seed++ }));
    m.add(tfl.layers.flatten());
    m.add(tfl.layers.dense({ units: 1000, activation: 'relu', kernelInitializer: init() }));
  } else {
    throw new Error(`model: "${name}" needs @regstudy/architectures (the page's fallback has only initial and new)`);
  }
  m.add(tfl.layers.dense({ units: opts.numClasses, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed++ }) }));
  tf.util.assert(m.outputs.length === 1, () => 'one output');
  return m;
}
