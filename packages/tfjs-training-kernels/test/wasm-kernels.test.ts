import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../src/wasm/register-training-kernels';
import { onBackend, randomValues, relativeError, setUpCpuAndWasm } from './helpers/backends';
import { poolInput, type PoolInputKind } from './helpers/pool-inputs';

type Pad = 'same' | 'valid';
// [batch, height, width, inChannels, outChannels, kernel, stride, padding]
const convCases: [number, number, number, number, number, number, number, Pad][] = [
  [1, 5, 5, 1, 1, 3, 1, 'valid'],
  [1, 5, 5, 1, 1, 3, 1, 'same'],
  [2, 7, 7, 3, 4, 3, 1, 'same'],
  [2, 7, 7, 3, 4, 3, 2, 'same'],
  [1, 8, 8, 2, 5, 3, 2, 'valid'],
  [1, 8, 8, 2, 5, 3, 2, 'same'],
  [3, 9, 6, 4, 2, 1, 2, 'valid'],
  [2, 13, 13, 3, 8, 7, 2, 'same'],
  [1, 16, 16, 8, 4, 1, 1, 'same'],
  [2, 11, 10, 5, 6, 3, 2, 'same'],
  [1, 6, 6, 3, 3, 2, 2, 'valid'],
  [1, 7, 9, 3, 3, 2, 2, 'same'],
  [4, 9, 9, 16, 32, 3, 1, 'same'],
  [2, 10, 10, 4, 8, 1, 2, 'valid'],
  // stride > 1 and >= 16 dy pixels: the phase-split input gradient (also some cases above)
  [2, 9, 9, 8, 4, 3, 2, 'same'],
  [2, 4, 4, 8, 4, 3, 2, 'same'], // 2x2 dy: zero-dilated path
  [1, 10, 11, 8, 6, 3, 2, 'valid'],
  [2, 8, 8, 16, 8, 1, 2, 'valid'],
  [1, 7, 7, 12, 5, 7, 2, 'same'],
  [2, 10, 10, 8, 8, 2, 2, 'same'],
  [1, 14, 13, 8, 3, 4, 3, 'same'],
  [1, 17, 16, 8, 3, 3, 3, 'valid'],
  [2, 6, 6, 8, 8, 2, 2, 'same'], // 3x3 dy: zero-dilated path
  // stride 1 and Co >= 3 Ci: the filter gradient with x and dy swapped
  [2, 9, 9, 3, 10, 3, 1, 'same'],
  [1, 8, 7, 2, 8, 3, 1, 'valid'],
  [2, 6, 6, 1, 5, 2, 1, 'same'],
  [1, 7, 7, 2, 7, 1, 1, 'valid'],
  [1, 10, 9, 3, 10, 7, 1, 'same'],
  // Ci * Co >= 65536: the input gradient's filter flipped tap by tap
  [1, 4, 4, 256, 256, 3, 1, 'same'],
  [1, 8, 8, 256, 256, 3, 2, 'same'],
  // maps with fewer pixels than filter taps: image and filter swapped
  [2, 2, 2, 8, 8, 3, 1, 'same'],
  [3, 1, 1, 4, 6, 3, 1, 'same'],
  [2, 2, 3, 5, 7, 3, 1, 'same'],
  [1, 3, 3, 4, 4, 5, 1, 'same'],
  [2, 2, 2, 4, 4, 4, 1, 'same'],
  // maps with no more pixels than filter taps, strided: the filter gradient as one GEMM + routing
  [2, 3, 3, 4, 5, 3, 2, 'same'],
  [2, 3, 3, 4, 5, 3, 2, 'valid'],
  [3, 2, 2, 6, 5, 2, 2, 'valid'],
  // strided, fewer dy pixels than taps: the swapped input gradient with a dilated dy
  [2, 4, 4, 6, 8, 3, 2, 'same'],
  [1, 3, 4, 5, 6, 3, 2, 'same'],
  [2, 5, 5, 4, 4, 3, 2, 'valid'],
  [1, 6, 6, 3, 5, 5, 3, 'same'],
  // strided with <= 4 input channels: one convolution with s*s*Ci output channels, depth to space
  [2, 21, 21, 3, 8, 7, 2, 'valid'],
  [1, 20, 19, 3, 8, 7, 2, 'same'],
  [2, 11, 12, 2, 5, 3, 2, 'same'],
  [1, 13, 13, 4, 6, 5, 3, 'valid'],
  [1, 9, 10, 1, 4, 2, 2, 'same'],
];

beforeAll(setUpCpuAndWasm);

describe('registerWasmTrainingKernels', () => {
  it('adds Conv2DBackpropFilter and replaces Conv2DBackpropInput, BatchMatMul, _FusedMatMul, Tile, AvgPoolGrad, Sum and Mean, once', () => {
    const info = registerWasmTrainingKernels();
    expect(info.added).toEqual(['Conv2DBackpropFilter', 'RegstudySgdMomentum', 'RegstudyReluGrad', 'RegstudyConv2DBiasRelu']);
    expect([...info.replaced].sort()).toEqual([
      'Add', 'AvgPool', 'AvgPoolGrad', 'BatchMatMul', 'Cast', 'Conv2D', 'Conv2DBackpropInput', 'Floor', 'FusedBatchNorm', 'FusedConv2D',
      'Identity', 'MaxPool', 'MaxPoolGrad', 'Mean', 'Multiply', 'Relu', 'Slice', 'Square', 'Sub', 'Sum', 'Tile', '_FusedMatMul',
    ]);
    expect(registerWasmTrainingKernels()).toBe(info);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });
});

describe.each(convCases)('conv2d gradients x=[%i,%i,%i,%i] co=%i k=%i s=%i %s', (n, h, w, ci, co, k, s, pad) => {
  const xv = randomValues(n * h * w * ci, 1 + n + h * 7 + ci * 13 + k * 31 + s);
  const fv = randomValues(k * k * ci * co, 2 + co * 17 + k);
  const yShape = (() => {
    tf.setBackend('cpu');
    return tf.tidy(() => tf.conv2d(tf.tensor4d(xv, [n, h, w, ci]), tf.tensor4d(fv, [k, k, ci, co]), s, pad).shape);
  })();
  const dyv = randomValues(yShape.reduce((a, b) => a * b, 1), 3 + h);

  const grads = (backend: 'cpu' | 'wasm') =>
    onBackend(backend, () => {
      const x = tf.tensor4d(xv, [n, h, w, ci]);
      const f = tf.tensor4d(fv, [k, k, ci, co]);
      const dy = tf.tensor(dyv, yShape) as tf.Tensor4D;
      const g = tf.grads((xx: tf.Tensor, ff: tf.Tensor) => tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, s, pad));
      return g([x, f], dy);
    });

  it('match the cpu backend to relative error <= 1e-4 without leaking tensors', () => {
    const before = tf.memory().numTensors;
    const [dxW, dfW] = grads('wasm');
    const [dxC, dfC] = grads('cpu');
    expect(relativeError(dfW!, dfC!)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(dxW!, dxC!)).toBeLessThanOrEqual(1e-4);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('forward Conv2D / FusedConv2D on maps smaller than the filter', () => {
  // [x shape, kernel, outChannels]: 'same' padding, stride 1
  it.each([
    [[2, 2, 2, 8], 3, 8],
    [[3, 1, 1, 4], 3, 6],
    [[2, 2, 3, 5], 3, 7],
    [[1, 3, 3, 4], 5, 4],
    [[2, 2, 2, 4], 4, 4],
    [[2, 4, 4, 4], 3, 4], // 16 pixels >= 9 taps: stock kernel
  ] as [[number, number, number, number], number, number][])('x=%j k=%i co=%i matches cpu (plain, fused linear, fused bias+relu)', (shape, k, co) => {
    const xv = randomValues(shape.reduce((a, b) => a * b, 1), 51 + k);
    const fv = randomValues(k * k * shape[3] * co, 52 + co);
    const bv = randomValues(co, 53);
    const run = (backend: 'cpu' | 'wasm') =>
      onBackend(backend, () => {
        const x = tf.tensor4d(xv, shape);
        const f = tf.tensor4d(fv, [k, k, shape[3], co]);
        return [
          tf.conv2d(x, f, 1, 'same'),
          tf.fused.conv2d({ x, filter: f, strides: 1, pad: 'same' }),
          tf.fused.conv2d({ x, filter: f, strides: 1, pad: 'same', bias: tf.tensor1d(bv), activation: 'relu' }),
        ];
      });
    const before = tf.memory().numTensors;
    const w = run('wasm');
    expect(tf.memory().numTensors).toBe(before);
    const c = run('cpu');
    for (let i = 0; i < 3; i++) expect(relativeError(w[i]!, c[i]!), `output ${i}`).toBeLessThanOrEqual(1e-5);
  });

  it('hand-checked: 1x1 image, 3x3 filter, same padding sees only the centre tap', () => {
    // x = [2] (1 channel), filter centre 5, elsewhere 1: y = 2 * 5 = 10; two output channels 10, 20
    const f = new Float32Array(9 * 2).fill(1);
    f[4 * 2] = 5;
    f[4 * 2 + 1] = 10;
    const [y] = onBackend('wasm', () => tf.conv2d(tf.tensor4d([2], [1, 1, 1, 1]), tf.tensor4d(f, [3, 3, 1, 2]), 1, 'same'));
    expect(Array.from(y!)).toEqual([10, 20]);
  });
});

describe('BatchMatMul with transposes', () => {
  // [m, k, n]: includes a case where transposing the output is cheaper than transposing b.
  it.each([
    [6, 7, 5],
    [1, 9, 4],
    [64, 300, 10],
    [3, 40, 200],
  ])('m=%i k=%i n=%i matches cpu for every transpose combination', (m, k, n) => {
    for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      const av = randomValues(m * k, m + k);
      const bv = randomValues(k * n, k + n);
      const run = (backend: 'cpu' | 'wasm') =>
        onBackend(backend, () =>
          tf.matMul(tf.tensor2d(av, ta ? [k, m] : [m, k]), tf.tensor2d(bv, tb ? [n, k] : [k, n]), ta, tb),
        )[0]!;
      expect(relativeError(run('wasm'), run('cpu')), `transposeA=${ta} transposeB=${tb}`).toBeLessThanOrEqual(1e-4);
    }
  });

  it('leaves batched products (batch > 1) to the stock kernel, with correct results', () => {
    const av = randomValues(2 * 3 * 4, 5);
    const bv = randomValues(2 * 5 * 4, 6);
    const run = (backend: 'cpu' | 'wasm') =>
      onBackend(backend, () => tf.matMul(tf.tensor3d(av, [2, 3, 4]), tf.tensor3d(bv, [2, 5, 4]), false, true))[0]!;
    expect(relativeError(run('wasm'), run('cpu'))).toBeLessThanOrEqual(1e-4);
  });

  it('computes a wide plain product (few rows, >= 1.5M-element b) as (b^T a^T)^T, matching cpu, rank 2 and 3', () => {
    const [m, k, n] = [8, 2048, 1024];
    const av = randomValues(m * k, 41);
    const bv = randomValues(k * n, 42);
    for (const rank3 of [false, true]) {
      const run = (backend: 'cpu' | 'wasm') =>
        onBackend(backend, () => {
          const a = rank3 ? tf.tensor3d(av, [1, m, k]) : tf.tensor2d(av, [m, k]);
          const b = rank3 ? tf.tensor3d(bv, [1, k, n]) : tf.tensor2d(bv, [k, n]);
          const c = tf.matMul(a, b);
          return tf.concat([tf.reshape(c, [-1]), tf.tensor1d(c.shape)]);
        })[0]!;
      expect(relativeError(run('wasm'), run('cpu'))).toBeLessThanOrEqual(1e-4);
    }
  });

  it('computes a hand-checked product: [[1,2],[3,4]]^T @ [[1,0],[0,1]]^T = [[1,3],[2,4]]', () => {
    const [r] = onBackend('wasm', () =>
      tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([1, 0, 0, 1], [2, 2]), true, true),
    );
    expect(Array.from(r!)).toEqual([1, 3, 2, 4]);
  });
});

describe('Tile', () => {
  it.each([
    [[1, 1, 1, 5], [3, 4, 2, 1]],
    [[2, 1, 3], [1, 4, 1]],
    [[1], [7]],
  ])('broadcasting x=%j reps=%j matches cpu', (shape, reps) => {
    const v = randomValues(shape.reduce((a, b) => a * b, 1), 9);
    const run = (backend: 'cpu' | 'wasm') => onBackend(backend, () => tf.tile(tf.tensor(v, shape), reps))[0]!;
    const w = run('wasm');
    expect(w.length).toBe(shape.reduce((a, b, i) => a * b * reps[i]!, 1));
    expect(relativeError(w, run('cpu'))).toBe(0);
  });

  it('leading repetitions are block copies: [1,1,1,64] x [3,5,7,1] matches cpu, int32 [[3,4]] x [5,1] is five rows', () => {
    const v = randomValues(64, 4);
    const run = (backend: 'cpu' | 'wasm') => onBackend(backend, () => tf.tile(tf.tensor(v, [1, 1, 1, 64]), [3, 5, 7, 1]))[0]!;
    const w = run('wasm');
    expect(w.length).toBe(3 * 5 * 7 * 64);
    expect(relativeError(w, run('cpu'))).toBe(0);
    tf.setBackend('wasm');
    const i = tf.tidy(() => tf.tile(tf.tensor2d([3, 4], [1, 2], 'int32'), [5, 1]).dataSync());
    expect(Array.from(i)).toEqual([3, 4, 3, 4, 3, 4, 3, 4, 3, 4]);
  });

  it('real repetitions (and int32) keep the stock kernel: [[1,2]] tiled [2,2] = [[1,2,1,2],[1,2,1,2]]', () => {
    const [f] = onBackend('wasm', () => tf.tile(tf.tensor2d([1, 2], [1, 2]), [2, 2]));
    expect(Array.from(f!)).toEqual([1, 2, 1, 2, 1, 2, 1, 2]);
    const [i] = onBackend('wasm', () => tf.tile(tf.tensor2d([3, 4], [2, 1], 'int32'), [1, 3]));
    expect(Array.from(i!)).toEqual([3, 3, 3, 4, 4, 4]);
  });
});

describe('AvgPoolGrad', () => {
  // [x shape, filter, stride, pad]: the first four take the broadcast path, the rest the stock kernel
  it.each([
    [[2, 8, 8, 3], 2, 2, 'valid'],
    [[1, 6, 9, 4], 3, 3, 'same'],
    [[3, 4, 4, 1], 1, 1, 'valid'],
    [[2, 6, 4, 5], [3, 1], [3, 1], 'valid'],
    [[2, 7, 7, 3], 2, 2, 'valid'],
    [[2, 7, 7, 3], 2, 2, 'same'],
    [[1, 8, 8, 2], 3, 2, 'same'],
  ] as [number[], number | [number, number], number | [number, number], Pad][])(
    'x=%j filter=%j stride=%j %s matches cpu',
    (shape, filter, stride, pad) => {
      const xv = randomValues(shape.reduce((a, b) => a * b, 1), 11);
      const run = (backend: 'cpu' | 'wasm') =>
        onBackend(backend, () => {
          const x = tf.tensor4d(xv, shape as [number, number, number, number]);
          const f = (t: tf.Tensor): tf.Scalar => tf.sum(tf.mul(tf.avgPool(t as tf.Tensor4D, filter, stride, pad), tf.avgPool(t as tf.Tensor4D, filter, stride, pad)));
          return tf.grad(f)(x);
        })[0]!;
      const w = run('wasm');
      expect(w.length).toBe(shape.reduce((a, b) => a * b, 1));
      expect(relativeError(w, run('cpu'))).toBeLessThan(1e-6);
    },
  );
});

describe('MaxPoolGrad', () => {
  type Values = PoolInputKind;
  /** Inputs with many ties, NaNs and -Infinity runs (see `poolInput`). */
  const valuesOf = poolInput;
  const cases: [number[], number | [number, number], number | [number, number], Pad][] = [
    [[2, 8, 8, 3], 2, 2, 'valid'],
    [[2, 7, 7, 3], 2, 2, 'valid'],
    [[2, 7, 7, 3], 2, 2, 'same'],
    [[1, 9, 9, 4], 3, 2, 'valid'], // overlapping windows (ResNet's pool after zero padding)
    [[1, 9, 10, 4], 3, 2, 'same'],
    [[2, 8, 8, 5], 3, 1, 'same'],
    [[1, 6, 7, 2], [3, 2], [2, 1], 'same'],
    [[1, 1, 1, 3], 1, 1, 'valid'],
  ];
  const kinds: Values[] = ['random', 'zeros', 'relu', 'coarse', 'negative', 'nan', 'neginf'];
  it.each(cases)('x=%j filter=%j stride=%j %s matches cpu with and without ties', (shape, filter, stride, pad) => {
    const size = shape.reduce((a, b) => a * b, 1);
    for (const kind of kinds) {
      const xv = valuesOf(kind, size, 31 + size);
      const run = (backend: 'cpu' | 'wasm') =>
        onBackend(backend, () => {
          const x = tf.tensor4d(xv, shape as [number, number, number, number]);
          const pool = (t: tf.Tensor): tf.Tensor4D => tf.maxPool(t as tf.Tensor4D, filter, stride, pad);
          const wv = randomValues(pool(x).size, 7);
          const f = (t: tf.Tensor): tf.Scalar => tf.sum(tf.mul(pool(t), tf.tensor(wv, pool(x).shape)));
          return tf.grad(f)(x);
        })[0]!;
      const before = tf.memory().numTensors;
      const w = run('wasm');
      expect(tf.memory().numTensors).toBe(before);
      const c = run('cpu');
      expect(w.length).toBe(size);
      expect(relativeError(w, c), kind).toBeLessThanOrEqual(1e-6);
      // each window routes its gradient to one position: the gradients sum to the same total
      expect(w.reduce((a, b) => a + b, 0), kind).toBeCloseTo(c.reduce((a, b) => a + b, 0), 4);
    }
  });

  it('routes a tied window to its first position, hand-checked', () => {
    // x = [[1, 3], [3, 0]] (one 2x2 window): max 3 first at (0, 1); dy = 5
    // [[0, 0], [0, 0]]: all tied, first position (0, 0); [[-2, -1], [-1, -3]]: (0, 1)
    const grad = (xv: number[]) =>
      onBackend('wasm', () =>
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'), 5)))(tf.tensor4d(xv, [1, 2, 2, 1])),
      )[0]!;
    expect(Array.from(grad([1, 3, 3, 0]))).toEqual([0, 5, 0, 0]);
    expect(Array.from(grad([0, 0, 0, 0]))).toEqual([5, 0, 0, 0]);
    expect(Array.from(grad([-2, -1, -1, -3]))).toEqual([0, 5, 0, 0]);
  });
});

describe('Slice', () => {
  // [shape, begin, size]: contiguous, inner crops, channel slices, size -1, ranks 1-6, empty
  const cases: [number[], number[], number[]][] = [
    [[9, 4, 5], [3, 0, 0], [1, 4, 5]],
    [[9, 4, 5], [2, 1, 0], [3, 2, 5]],
    [[2, 6, 6, 3], [0, 1, 1, 0], [2, 4, 4, 3]],
    [[2, 6, 6, 3], [1, 0, 2, 1], [1, -1, 3, 2]],
    [[7], [2], [4]],
    [[3, 4], [1, 1], [2, 2]],
    [[2, 3, 2, 3, 2, 2], [1, 0, 1, 1, 0, 1], [1, 3, 1, 2, 2, 1]],
    [[4, 5], [1, 2], [0, 3]],
  ];
  it.each(cases)('x=%j begin=%j size=%j matches cpu (float32, int32, bool) without leaks', (shape, begin, size) => {
    const count = shape.reduce((a, b) => a * b, 1);
    const v = randomValues(count, 5 + count);
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      const values = dtype === 'float32' ? v : Int32Array.from(v, (a) => (dtype === 'bool' ? (a > 0 ? 1 : 0) : Math.round(a * 100)));
      const run = (backend: 'cpu' | 'wasm') =>
        onBackend(backend, () => {
          const y = tf.slice(tf.tensor(values, shape, dtype), begin, size);
          return tf.concat([tf.reshape(tf.cast(y, 'float32'), [-1]), tf.tensor1d(y.shape)]);
        })[0]!;
      const before = tf.memory().numTensors;
      const w = run('wasm');
      expect(tf.memory().numTensors).toBe(before);
      expect(Array.from(w), dtype).toEqual(Array.from(run('cpu')));
    }
  });

  it('slices a hand-checked 3x3 matrix: rows 1-2, column 1 of [[1,2,3],[4,5,6],[7,8,9]] = [[5],[8]]', () => {
    const [s] = onBackend('wasm', () => tf.slice(tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3]), [1, 1], [2, 1]));
    expect(Array.from(s!)).toEqual([5, 8]);
  });
});

describe('Identity and same-dtype Cast', () => {
  it('clones share the buffer: values survive disposing the original, memory is freed with the last one', async () => {
    tf.setBackend('wasm');
    const before = tf.memory() as tf.MemoryInfo & { numDataBuffers: number };
    const heapIds = tf.backend().numDataIds();
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const b = tf.clone(a);
    const i = tf.tensor1d([5, 6], 'int32');
    const c = tf.clone(i);
    expect((tf.memory() as typeof before).numDataBuffers).toBe(before.numDataBuffers + 2);
    expect(tf.backend().numDataIds()).toBe(heapIds + 2);
    tf.dispose([a, i]);
    expect(Array.from(await b.data())).toEqual([1, 2, 3, 4]);
    expect(Array.from(await c.data())).toEqual([5, 6]);
    expect(b.dtype).toBe('float32');
    expect(c.dtype).toBe('int32');
    tf.dispose([b, c]);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    expect(tf.backend().numDataIds()).toBe(heapIds);
    // a same-dtype cast shares too; a real conversion still converts
    const f = tf.tensor1d([1.5, -2.5]);
    const same = tf.cast(f, 'float32');
    const toInt = tf.cast(f, 'int32');
    expect((tf.memory() as typeof before).numDataBuffers).toBe(before.numDataBuffers + 2);
    f.dispose();
    expect(Array.from(await same.data())).toEqual([1.5, -2.5]);
    expect(Array.from(await toInt.data())).toEqual([1, -2]);
    expect(toInt.dtype).toBe('int32');
    tf.dispose([same, toInt]);
    expect(tf.backend().numDataIds()).toBe(heapIds);
    // a string clone keeps the stock path
    const s = tf.tensor1d(['x', 'y'], 'string');
    const sc = tf.clone(s);
    s.dispose();
    expect(await sc.data()).toEqual(['x', 'y']);
    sc.dispose();
    tf.setBackend('cpu');
  });
});

describe('FusedBatchNorm', () => {
  it.each([
    [[2, 3, 4, 5], true, true],
    [[2, 3, 4, 5], false, true],
    [[2, 3, 4, 5], true, false],
    [[7, 6], false, false],
  ] as [number[], boolean, boolean][])('x=%j scale=%s offset=%s matches cpu (values and gradients)', (shape, withScale, withOffset) => {
    const c = shape[shape.length - 1]!;
    const xv = randomValues(shape.reduce((a, b) => a * b, 1), 61).map((v) => 3 + 2 * v);
    const run = (backend: 'cpu' | 'wasm') =>
      onBackend(backend, () => {
        const x = tf.tensor(xv, shape);
        const mean = tf.tensor1d(randomValues(c, 62).map((v) => 3 + v));
        const variance = tf.tensor1d(randomValues(c, 63).map((v) => 1.5 + v));
        const scale = withScale ? tf.tensor1d(randomValues(c, 64)) : undefined;
        const offset = withOffset ? tf.tensor1d(randomValues(c, 65)) : undefined;
        const f = (t: tf.Tensor): tf.Tensor => tf.batchNorm(t, mean, variance, offset, scale, 1e-3);
        // tfjs-core's batch-norm gradient needs both scale and offset (its tape trips over absent ones)
        return withScale && withOffset ? [f(x), tf.grad((t: tf.Tensor) => tf.sum(tf.square(f(t))))(x)] : [f(x)];
      });
    const before = tf.memory().numTensors;
    const w = run('wasm');
    expect(tf.memory().numTensors).toBe(before);
    const c2 = run('cpu');
    expect(w.length).toBe(c2.length);
    for (let i = 0; i < w.length; i++) expect(relativeError(w[i]!, c2[i]!), `output ${i}`).toBeLessThanOrEqual(1e-5);
  });

  it('gradients with respect to x, mean, variance, scale and offset match cpu (lean wasm gradient)', () => {
    const shape = [3, 4, 5, 6];
    const c = 6;
    const vals = (seed: number, n: number, base: number) => randomValues(n, seed).map((v) => base + v);
    const run = (backend: 'cpu' | 'wasm') =>
      onBackend(backend, () => {
        const args = [
          tf.tensor(vals(71, 360, 2), shape),
          tf.tensor1d(vals(72, c, 2)),
          tf.tensor1d(vals(73, c, 1.5)),
          tf.tensor1d(vals(74, c, 0)),
          tf.tensor1d(vals(75, c, 0)),
        ];
        const w = tf.tensor(randomValues(360, 76), shape);
        const f = (x: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor): tf.Tensor =>
          tf.sum(tf.mul(tf.batchNorm(x, m, v, o, s, 1e-3), w));
        return tf.grads(f)(args);
      });
    const before = tf.memory().numTensors;
    const w = run('wasm');
    expect(tf.memory().numTensors).toBe(before);
    const cpu = run('cpu');
    const names = ['x', 'mean', 'variance', 'offset', 'scale'];
    for (let i = 0; i < 5; i++) expect(relativeError(w[i]!, cpu[i]!), names[i]).toBeLessThanOrEqual(1e-5);
  });

  it('hand-checked: x = 5, mean 1, variance 4 - eps, scale 3, offset 2 gives (5 - 1) / 2 * 3 + 2 = 8', () => {
    const [y] = onBackend('wasm', () =>
      tf.batchNorm(tf.tensor2d([5], [1, 1]), tf.tensor1d([1]), tf.tensor1d([4 - 0.001]), tf.tensor1d([2]), tf.tensor1d([3]), 0.001),
    );
    expect(y![0]).toBeCloseTo(8, 5);
  });
});

describe('Add, Sub, Multiply with a per-channel vector over few channels', () => {
  // [big shape, vector shape]: widened rows, vector first or second; the last two keep the stock path
  it.each([
    [[8, 16, 16, 10], [10]],
    [[4, 9, 7, 3], [1, 1, 1, 3]],
    [[64, 20], [20]],
    [[5, 7, 13], [13]],
    [[2, 3, 64], [64]],
  ] as [number[], number[]][])('x=%j v=%j matches cpu in both operand orders', (shape, vshape) => {
    const xv = randomValues(shape.reduce((a, b) => a * b, 1), 81);
    const vv = randomValues(vshape.reduce((a, b) => a * b, 1), 82);
    for (const op of [tf.add, tf.sub, tf.mul]) {
      const run = (backend: 'cpu' | 'wasm') =>
        onBackend(backend, () => {
          const x = tf.tensor(xv, shape);
          const v = tf.tensor(vv, vshape);
          return [op(x, v), op(v, x)];
        });
      const before = tf.memory().numTensors;
      const w = run('wasm');
      expect(tf.memory().numTensors).toBe(before);
      const c = run('cpu');
      for (let i = 0; i < 2; i++) expect(relativeError(w[i]!, c[i]!), `${op.name} ${i}`).toBe(0);
    }
  });

  it('hand-checked: [[1,2],[3,4]] - [10, 20] = [[-9,-18],[-7,-16]], and [10, 20] - it = its negation', () => {
    const [d, e] = onBackend('wasm', () => {
      const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
      const v = tf.tensor1d([10, 20]);
      return [tf.sub(x, v), tf.sub(v, x)];
    });
    expect(Array.from(d!)).toEqual([-9, -18, -7, -16]);
    expect(Array.from(e!)).toEqual([9, 18, 7, 16]);
  });
});

describe('Sum and Mean', () => {
  // [shape, axes, keepDims]: leading axes take the pooling path, the others the stock kernels
  it.each([
    [[4, 5, 6, 7], [0, 1, 2], false],
    [[4, 5, 6, 7], [2, 1, 0], true],
    [[64, 9, 3], [0], false],
    [[3, 8, 8, 16], [0, 1], true],
    [[3, 4], 0, false],
    [[3, 4, 5], [1, 2], false],
    [[3, 4, 5], [0, 2], true],
    [[3, 4, 5], null, false],
    [[1, 4, 5], [0], false],
  ] as [number[], number | number[] | null, boolean][])('x=%j axes=%j keepDims=%s matches cpu', (shape, axes, keepDims) => {
    const v = randomValues(shape.reduce((a, b) => a * b, 1), 21);
    for (const f of [tf.sum, tf.mean]) {
      const run = (backend: 'cpu' | 'wasm') =>
        onBackend(backend, () => {
          const y = f(tf.tensor(v, shape), axes ?? undefined, keepDims);
          return tf.concat([tf.reshape(y, [-1]), tf.tensor1d(y.shape.length ? y.shape : [0])]);
        })[0]!;
      expect(relativeError(run('wasm'), run('cpu'))).toBeLessThan(1e-6);
    }
  });

  it.each([
    [[4, 5, 6, 7], [0, 1, 2], false],
    [[4, 5, 6, 7], [1, 2], true],
    [[3, 4, 5], [2], false],
    [[3, 4, 5], null, false],
  ] as [number[], number[] | null, boolean][])('the Mean gradient for x=%j axes=%j keepDims=%s matches cpu exactly', (shape, axes, keepDims) => {
    const v = randomValues(shape.reduce((a, b) => a * b, 1), 22);
    const w = randomValues(shape.reduce((a, b) => a * b, 1), 23);
    // d/dx sum(mean(x) * c) = broadcast(c) / R, and through a weighted sum of squares (moments)
    const run = (backend: 'cpu' | 'wasm') =>
      onBackend(backend, () => {
        const c = tf.tensor(w, shape);
        return tf.grad((x: tf.Tensor) => {
          const m = tf.mean(x, axes ?? undefined, keepDims);
          return tf.add(tf.sum(tf.mul(m, tf.mean(c, axes ?? undefined, keepDims))), tf.sum(tf.mean(tf.square(tf.mul(x, c)), axes ?? undefined)));
        })(tf.tensor(v, shape));
      })[0]!;
    const before = tf.memory().numTensors;
    expect(relativeError(run('wasm'), run('cpu'))).toBeLessThan(1e-6);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('int32 keeps the stock kernel', () => {
    const [s] = onBackend('wasm', () => tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 0));
    expect(Array.from(s!)).toEqual([4, 6]);
  });
});
