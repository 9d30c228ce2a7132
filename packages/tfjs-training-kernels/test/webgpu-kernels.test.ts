// The WebGPU training kernel is a composition of backend kernels (pad, slice, concat, batched
// matmul, sum), so its arithmetic can be checked on the cpu backend here, against cpu's own
// Conv2DBackpropFilter. On a GPU, bench/webgpu-check.mjs checks whole training steps against wasm.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Conv2DBackpropFilterAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { KernelRunner } from '../src/wasm/runtime/kernel-runner';
import { conv2dBackpropFilterIm2col, splitKChunks } from '../src/webgpu/conv2d-backprop-filter-im2col';
import { randomValues, relativeError } from './helpers/backends';

type Pad = 'same' | 'valid';
// [n, h, w, ci, co, k, stride, pad, chunks (undefined: automatic)]
const cases: [number, number, number, number, number, number, number, Pad, number | undefined][] = [
  [1, 5, 5, 1, 1, 3, 1, 'valid', undefined],
  [1, 5, 5, 1, 1, 3, 1, 'same', undefined],
  [2, 7, 7, 3, 4, 3, 1, 'same', 2],
  [2, 7, 7, 3, 4, 3, 2, 'same', undefined],
  [1, 8, 8, 2, 5, 3, 2, 'valid', 3],
  [1, 8, 8, 2, 5, 3, 2, 'same', 4],
  [3, 9, 6, 4, 2, 1, 2, 'valid', undefined],
  [2, 13, 13, 3, 8, 7, 2, 'same', 7],
  [1, 16, 16, 8, 4, 1, 1, 'same', 16],
  [2, 11, 10, 5, 6, 3, 2, 'same', undefined],
  [1, 6, 6, 3, 3, 2, 2, 'valid', undefined],
  [1, 7, 9, 3, 3, 2, 2, 'same', undefined],
  [4, 9, 9, 16, 32, 3, 1, 'same', 4],
  [1, 10, 11, 8, 6, 3, 2, 'valid', undefined],
  [1, 14, 13, 8, 3, 4, 3, 'same', undefined],
  [4, 32, 32, 3, 10, 3, 1, 'same', undefined], // 4096 rows: automatic split-K (16 chunks)
];

let funcs: Map<string, KernelFunc>;

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
  funcs = new Map(
    ['BatchMatMul', 'Concat', 'PadV2', 'Reshape', 'Slice', 'StridedSlice', 'Sum'].map((k) => [k, tf.getKernel(k, 'cpu')!.kernelFunc]),
  );
});

describe('splitKChunks', () => {
  it('picks the largest power of two dividing the rows with >= 256 rows per chunk and a bounded output', () => {
    expect(splitKChunks(262_144, 27 * 10)).toBe(1024); // Initial conv1 at batch 64: 256 rows per chunk
    expect(splitKChunks(256, 4608 * 512)).toBe(1); // ResNet layer4: few rows, large output
    expect(splitKChunks(65_536, 147 * 64)).toBe(256); // ResNet conv1: bounded by 2^24 / 9408 -> 256
    expect(splitKChunks(300, 10)).toBe(1); // 300 = 4 * 75: 150 rows per chunk would be too few
    expect(splitKChunks(1024, 10)).toBe(4);
    expect(splitKChunks(1023, 10)).toBe(1); // odd row count
  });
});

describe.each(cases)('im2col Conv2DBackpropFilter x=[%i,%i,%i,%i] co=%i k=%i s=%i %s chunks=%s', (n, h, w, ci, co, k, s, pad, chunks) => {
  it('matches the cpu kernel to relative error <= 1e-4 and frees its temporaries', () => {
    const x = tf.tensor4d(randomValues(n * h * w * ci, 1 + n + h * 7 + ci * 13 + k * 31 + s), [n, h, w, ci]);
    const f = tf.zeros([k, k, ci, co]) as tf.Tensor4D;
    const yShape = tf.tidy(() => tf.conv2d(x, f, s, pad).shape);
    const dy = tf.tensor(randomValues(yShape.reduce((a, b) => a * b, 1), 3 + h), yShape) as tf.Tensor4D;
    const expected = tf.tidy(() => tf.grad((ff: tf.Tensor) => tf.conv2d(x, ff as tf.Tensor4D, s, pad))(f, dy));

    const backend = tf.backend();
    const attrs = { strides: [s, s], pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [k, k, ci, co] };
    const before = tf.memory().numTensors;
    const dataBefore = (backend as unknown as { numDataIds(): number }).numDataIds();
    const r = new KernelRunner(backend, funcs, 'test');
    if (chunks !== undefined) expect((n * yShape[1]! * yShape[2]!) % chunks).toBe(0); // a case that tests a real split
    const out: TensorInfo = conv2dBackpropFilterIm2col(r, x, dy, attrs as unknown as Conv2DBackpropFilterAttrs, chunks);
    r.dispose();
    expect(out.shape).toEqual([k, k, ci, co]);
    const got = backend.readSync(out.dataId) as Float32Array;
    expect(relativeError(got, expected.dataSync())).toBeLessThanOrEqual(1e-4);
    backend.disposeData(out.dataId);
    expect((backend as unknown as { numDataIds(): number }).numDataIds()).toBe(dataBefore);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, f, dy, expected]);
  });
});

describe('im2col Conv2DBackpropFilter options', () => {
  it('rejects NCHW, naming the kernel set and the data format', () => {
    const x = tf.zeros([1, 4, 4, 2]);
    const r = new KernelRunner(tf.backend(), funcs, 'test');
    const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 2] } as unknown as Conv2DBackpropFilterAttrs;
    expect(() => conv2dBackpropFilterIm2col(r, x, x, attrs)).toThrow(
      "Conv2DBackpropFilter (webgpu training kernels): dataFormat 'NCHW' is not supported, only NHWC",
    );
    r.dispose();
    x.dispose();
  });
});

describe('registerWebGpuTrainingKernels', () => {
  it('replaces the stock webgpu Conv2DBackpropFilter once, registers its flag, and restore() puts the stock one back', async () => {
    // Importing the package registers its kernels; without navigator.gpu it registers no backend.
    await import('@tensorflow/tfjs-backend-webgpu');
    const { IM2COL_MIN_ROWS_FLAG, registerWebGpuTrainingKernels } = await import('../src/webgpu/register-webgpu-training-kernels');
    const stock = tf.getKernel('Conv2DBackpropFilter', 'webgpu');
    expect(stock).toBeDefined();
    const info = registerWebGpuTrainingKernels();
    expect(info.replaced).toEqual(['Conv2DBackpropFilter']);
    expect(registerWebGpuTrainingKernels()).toBe(info);
    expect(tf.getKernel('Conv2DBackpropFilter', 'webgpu')!.kernelFunc).not.toBe(stock!.kernelFunc);
    expect(tf.env().getNumber(IM2COL_MIN_ROWS_FLAG)).toBe(16384);
    info.restore();
    expect(tf.getKernel('Conv2DBackpropFilter', 'webgpu')!.kernelFunc).toBe(stock!.kernelFunc);
    const again = registerWebGpuTrainingKernels();
    expect(again).not.toBe(info);
    expect(tf.getKernel('Conv2DBackpropFilter', 'webgpu')!.kernelFunc).not.toBe(stock!.kernelFunc);
    again.restore();
    expect(tf.findBackendFactory('webgpu')).toBeNull();
  });
});
