import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { channelChunk, fewChannelFilterGrad } from '../src/wasm/ops/few-channel-filter-grad';
import { FEW_CHANNEL_FILTER_GRAD_FLAG } from '../src/wasm/flags';
import { randomValues, relativeError, setUpCpuAndWasm } from './helpers/backends';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

beforeAll(setUpCpuAndWasm);

/** dW by `fewChannelFilterGrad` itself on the wasm backend (fails the test when it declines). */
function direct(xv: Float32Array, xShape: [number, number, number, number], dyv: Float32Array, dyShape: number[], k: [number, number], co: number, pad: Pad): Float32Array {
  tf.setBackend('wasm');
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, xShape);
    const dy = tf.tensor(dyv, dyShape);
    const info = backend_util.computeConv2DInfo(xShape, [k[0], k[1], xShape[3], co], 1, 1, pad as 'same');
    const out = fewChannelFilterGrad(tf.backend(), x as unknown as TensorInfo, dy as unknown as TensorInfo, info);
    expect(out, 'fewChannelFilterGrad declined').not.toBeNull();
    const t = tf.engine().makeTensorFromTensorInfo(out!);
    const v = t.dataSync() as Float32Array;
    t.dispose();
    return v;
  }) as unknown as Float32Array;
}

function onCpuAndWasm(xv: Float32Array, xShape: [number, number, number, number], dyv: Float32Array, dyShape: number[], k: [number, number], co: number, pad: Pad, backend: 'cpu' | 'wasm'): Float32Array {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const attrs = { strides: [1, 1], pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [k[0], k[1], xShape[3], co] };
    const out = tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(xv, xShape), dy: tf.tensor(dyv, dyShape) }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    return out.dataSync();
  }) as unknown as Float32Array;
}

// [n, h, w, ci, co, kh, kw, pad]
const cases: [number, number, number, number, number, number, number, Pad][] = [
  [2, 9, 9, 3, 10, 3, 3, 'same'],
  [1, 8, 7, 3, 10, 3, 3, 'valid'],
  [3, 11, 13, 1, 1, 3, 3, 'same'],
  [1, 7, 9, 4, 13, 5, 5, 'same'],
  [2, 10, 6, 4, 13, 5, 5, 'valid'],
  [1, 6, 11, 3, 1, 1, 3, 'same'],
  [2, 5, 9, 1, 10, 1, 3, 'valid'],
  [1, 9, 8, 3, 32, 3, 3, 'same'],
  [2, 7, 7, 2, 6, 3, 3, [[0, 0], [2, 0], [1, 3], [0, 0]]],
  [1, 6, 5, 3, 10, 5, 5, [[0, 0], [4, 1], [0, 2], [0, 0]]],
  [1, 4, 4, 1, 4, 7, 7, 'same'], // filter larger than the map: most taps see padding
  [2, 64, 64, 3, 10, 3, 3, 'same'], // the first layer's geometry (small batch)
  // more than 4 input channels: passes of channelChunk(ci, nv) channels
  [2, 9, 10, 10, 20, 3, 3, 'same'], // 5 passes of 2
  [1, 8, 7, 5, 3, 3, 3, 'valid'], // 4 + 1
  [2, 7, 6, 16, 20, 1, 3, [[0, 0], [0, 1], [2, 0], [0, 0]]], // 8 passes of 2
  [1, 6, 6, 13, 10, 5, 5, 'same'], // 4 + 4 + 4 + 1
];

describe.each(cases)('few-channel filter gradient x=[%i,%i,%i,%i] co=%i %ix%i pad=%j', (n, h, w, ci, co, kh, kw, pad) => {
  const xShape: [number, number, number, number] = [n, h, w, ci];
  const info = backend_util.computeConv2DInfo(xShape, [kh, kw, ci, co], 1, 1, pad as 'same');
  const dyShape = [n, info.outHeight, info.outWidth, co];
  const xv = randomValues(n * h * w * ci, 7 + n * 3 + h * 5 + w * 11 + ci * 13 + kh);
  const dyv = randomValues(dyShape.reduce((a, b) => a * b, 1), 9 + co * 17 + kw);

  it('the kernel and the registered Conv2DBackpropFilter match cpu to 1e-4, no leaks', () => {
    const before = tf.memory().numTensors;
    const cpu = onCpuAndWasm(xv, xShape, dyv, dyShape, [kh, kw], co, pad, 'cpu');
    expect(relativeError(direct(xv, xShape, dyv, dyShape, [kh, kw], co, pad), cpu)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(onCpuAndWasm(xv, xShape, dyv, dyShape, [kh, kw], co, pad, 'wasm'), cpu)).toBeLessThanOrEqual(1e-4);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('few-channel filter gradient, hand-checked and gating', () => {
  it('splits wide inputs into passes that fit 16 v128 registers', () => {
    expect([channelChunk(3, 3), channelChunk(4, 8), channelChunk(10, 5), channelChunk(10, 3), channelChunk(16, 8), channelChunk(5, 1)]).toEqual([3, 4, 2, 4, 1, 4]);
  });

  it('counts the in-image pixel pairs per tap: 4x4 ones, 3x3 same -> corners 9, edges 12, centre 16', () => {
    const ones = new Float32Array(16).fill(1);
    const dyOnes = new Float32Array(16 * 2).fill(1);
    const got = Array.from(direct(ones, [1, 4, 4, 1], dyOnes, [1, 4, 4, 2], [3, 3], 2, 'same'));
    const perTap = [9, 12, 9, 12, 16, 12, 9, 12, 9];
    expect(got).toEqual(perTap.flatMap((v) => [v, v]));
  });

  it('declines stride 2, Ci 17 and Co 33, and steps aside when the flag is off', () => {
    tf.setBackend('wasm');
    const x = tf.zeros([1, 6, 6, 17]);
    const dy = tf.zeros([1, 6, 6, 33]);
    const be = tf.backend();
    const asInfo = (t: tf.Tensor): TensorInfo => t as unknown as TensorInfo;
    expect(fewChannelFilterGrad(be, asInfo(x), asInfo(dy), backend_util.computeConv2DInfo([1, 6, 6, 17], [3, 3, 17, 4], 1, 1, 'same'))).toBeNull();
    expect(fewChannelFilterGrad(be, asInfo(x), asInfo(dy), backend_util.computeConv2DInfo([1, 6, 6, 3], [3, 3, 3, 33], 1, 1, 'same'))).toBeNull();
    expect(fewChannelFilterGrad(be, asInfo(x), asInfo(dy), backend_util.computeConv2DInfo([1, 6, 6, 3], [3, 3, 3, 4], 2, 1, 'same'))).toBeNull();
    // wider than 4 channels with one channel per pass (Co > 20)
    expect(fewChannelFilterGrad(be, asInfo(x), asInfo(dy), backend_util.computeConv2DInfo([1, 6, 6, 8], [3, 3, 8, 24], 1, 1, 'same'))).toBeNull();
    tf.env().set(FEW_CHANNEL_FILTER_GRAD_FLAG, false);
    try {
      expect(fewChannelFilterGrad(be, asInfo(x), asInfo(dy), backend_util.computeConv2DInfo([1, 6, 6, 3], [3, 3, 3, 4], 1, 1, 'same'))).toBeNull();
    } finally {
      tf.env().set(FEW_CHANNEL_FILTER_GRAD_FLAG, true);
    }
    tf.dispose([x, dy]);
  });
});
