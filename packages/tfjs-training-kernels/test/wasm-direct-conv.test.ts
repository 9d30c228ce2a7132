import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { directConv2d, directConvInputGrad, outputPasses } from '../src/wasm/ops/direct-conv';
import { DIRECT_CONV_FLAG, OWN_GEMM_FLAG } from '../src/wasm/flags';
import { createBackendGemm } from '../src/wasm/runtime/backend-heap';
import { directConvVariant, type DirectConvCall } from '../src/wasm/codegen/direct-conv-kernel';
import { createNodeThreadedGemm } from '../src/wasm/runtime/node-gemm-threads';
import { installOwnGemm } from '../src/wasm/ops/own-gemm-matmul';
import { encodeModule } from '../src/wasm/codegen/wasm-encoder';
import { relaxedSimdSupported } from '../src/wasm/codegen/gemm-kernels';
import { randomValues, relativeError, setUpCpuAndWasm } from './helpers/backends';
import { bumpHeap } from './helpers/bump-heap';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
type Mode = 'standalone' | 'own GEMM';

beforeAll(setUpCpuAndWasm);
afterEach(() => {
  tf.env().set(DIRECT_CONV_FLAG, true);
  installOwnGemm(null);
});

/** Installs (or not) a single-thread own GEMM on the wasm backend: the module's `directConv<nv>` exports. */
function useMode(mode: Mode): void {
  const wasm = tf.engine().findBackend('wasm');
  installOwnGemm(mode === 'own GEMM' ? createBackendGemm(wasm) : null, wasm);
  tf.env().set(OWN_GEMM_FLAG, true);
}

/** The forward conv (plain, fused bias + relu, fused bias linear) and the input gradient, on one backend. */
function compute(backend: 'cpu' | 'wasm', xv: Float32Array, xShape: [number, number, number, number], wv: Float32Array, wShape: [number, number, number, number], bv: Float32Array, pad: Pad): Float32Array[] {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, xShape);
    const f = tf.tensor4d(wv, wShape);
    const b = tf.tensor1d(bv);
    const plain = tf.conv2d(x, f, 1, pad);
    const relu = tf.fused.conv2d({ x, filter: f, strides: 1, pad, bias: b, activation: 'relu' });
    const linear = tf.fused.conv2d({ x, filter: f, strides: 1, pad, bias: b, activation: 'linear' });
    const dy = tf.tensor(randomValues(plain.size, 31 + plain.size), plain.shape);
    const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, { strides: [1, 1], pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: xShape } as unknown as tf.NamedAttrMap) as tf.Tensor;
    return [plain, relu, linear, dx].map((t) => t.dataSync() as Float32Array);
  }) as unknown as Float32Array[];
}

// [n, h, w, ci, co, kh, kw, pad]
const cases: [number, number, number, number, number, number, number, Pad][] = [
  [2, 9, 9, 3, 10, 3, 3, 'same'],
  [1, 8, 7, 3, 10, 3, 3, 'valid'],
  [3, 11, 13, 1, 1, 3, 3, 'same'],
  [1, 7, 9, 4, 13, 5, 5, 'same'],
  [2, 10, 6, 16, 5, 5, 5, 'valid'],
  [1, 6, 11, 16, 32, 1, 1, 'same'],
  [2, 5, 9, 7, 30, 1, 3, 'valid'],
  [2, 7, 7, 2, 6, 3, 3, [[0, 0], [2, 0], [1, 2], [0, 0]]],
  [1, 4, 4, 1, 4, 5, 5, 'same'], // filter larger than most of the map
  [1, 9, 10, 10, 20, 3, 3, 'same'],
  [2, 6, 5, 20, 30, 3, 3, 'same'],
  [1, 5, 6, 30, 20, 3, 3, 'same'],
  [1, 13, 3, 12, 9, 3, 3, 'same'],
];

describe.each(['standalone', 'own GEMM'] as const)('direct convolution (%s)', (mode) => {
  it.each(cases)('x=[%i,%i,%i,%i] co=%i %ix%i pad=%j: conv2d, fused bias+relu/linear and input gradient match cpu to 1e-4, flag off too, no leaks', (n, h, w, ci, co, kh, kw, pad) => {
    const xShape: [number, number, number, number] = [n, h, w, ci];
    const wShape: [number, number, number, number] = [kh, kw, ci, co];
    const xv = randomValues(n * h * w * ci, 3 + n + h * 7 + ci * 5);
    const wv = randomValues(kh * kw * ci * co, 11 + co * 3 + kw);
    const bv = randomValues(co, 13 + co);
    useMode(mode);
    const before = tf.memory().numTensors;
    const cpu = compute('cpu', xv, xShape, wv, wShape, bv, pad);
    const on = compute('wasm', xv, xShape, wv, wShape, bv, pad);
    tf.env().set(DIRECT_CONV_FLAG, false);
    const off = compute('wasm', xv, xShape, wv, wShape, bv, pad);
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < cpu.length; i++) {
      expect(relativeError(on[i]!, cpu[i]!), `on ${i}`).toBeLessThanOrEqual(1e-4);
      expect(relativeError(off[i]!, cpu[i]!), `off ${i}`).toBeLessThanOrEqual(1e-4);
    }
  });

  it('takes the shapes it should (forward and input gradient return tensors) and declines the others', () => {
    useMode(mode);
    tf.setBackend('wasm');
    const be = tf.backend();
    const run = (xShape: [number, number, number, number], wShape: [number, number, number, number], stride: number, pad: Pad, what: 'forward' | 'input'): boolean =>
      tf.tidy(() => {
        const x = tf.zeros(xShape);
        const f = tf.zeros(wShape);
        const info = backend_util.computeConv2DInfo(xShape, wShape, stride, 1, pad as 'same');
        const dy = tf.zeros([xShape[0], info.outHeight, info.outWidth, wShape[3]]);
        const out = what === 'forward' ? directConv2d(be, x as unknown as TensorInfo, f as unknown as TensorInfo, null, false, info) : directConvInputGrad(be, dy as unknown as TensorInfo, f as unknown as TensorInfo, info);
        if (out === null) return false;
        tf.engine().makeTensorFromTensorInfo(out).dispose();
        return true;
      });
    const before = tf.memory().numTensors;
    expect(run([2, 8, 8, 3], [3, 3, 3, 10], 1, 'same', 'forward')).toBe(true);
    expect(run([2, 8, 8, 10], [3, 3, 10, 20], 1, 'same', 'input')).toBe(true);
    expect(run([2, 8, 8, 20], [3, 3, 20, 30], 1, 'same', 'input')).toBe(true); // runs 30 -> 20
    expect(run([2, 8, 8, 20], [3, 3, 20, 30], 1, 'same', 'forward')).toBe(true); // passes of 16 + 14 channels
    expect(run([2, 8, 8, 32], [3, 3, 32, 32], 1, 'same', 'forward')).toBe(true);
    expect(run([2, 8, 8, 3], [3, 3, 3, 32], 1, 'same', 'input')).toBe(true); // runs 32 -> 3
    expect(run([2, 8, 8, 3], [3, 3, 3, 10], 2, 'same', 'forward')).toBe(false); // strided
    expect(run([2, 8, 8, 3], [3, 3, 3, 40], 1, 'same', 'forward')).toBe(false); // Co > 32
    expect(run([2, 8, 8, 40], [3, 3, 40, 8], 1, 'same', 'input')).toBe(false); // dx channels > 32
    expect(run([1, 4, 4, 2], [3, 3, 2, 4], 1, [[0, 0], [3, 0], [0, 0], [0, 0]], 'input')).toBe(false); // pad > kh - 1
    tf.env().set(DIRECT_CONV_FLAG, false);
    expect(run([2, 8, 8, 3], [3, 3, 3, 10], 1, 'same', 'forward')).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('direct convolution, hand-checked and threaded', () => {
  it('splits wide outputs into passes of whole vectors, at most 16 channels each', () => {
    expect([10, 16, 17, 20, 30, 32].map(outputPasses)).toEqual([[[0, 10]], [[0, 16]], [[0, 12], [12, 5]], [[0, 12], [12, 8]], [[0, 16], [16, 14]], [[0, 16], [16, 16]]]);
  });

  it('a 2x2 image, 3x3 same, one channel: each output is the sum of its in-image neighbours times the tap', () => {
    tf.setBackend('wasm');
    useMode('standalone');
    const y = tf.tidy(() => tf.conv2d(tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]), tf.mul(tf.ones([3, 3, 1, 2]), tf.tensor1d([1, -1])) as tf.Tensor4D, 1, 'same').dataSync());
    // every output pixel sees all 4 inputs: 10, and -10 on the second channel
    expect(Array.from(y)).toEqual([10, -10, 10, -10, 10, -10, 10, -10]);
  });

  it('splits by image over 2 threads with the same bytes as one pass, and writes nothing past the output', async () => {
    const h = bumpHeap(64, true);
    const gemm = await createNodeThreadedGemm(h.memory, { alloc: h.alloc, threads: 2, minParallelFlops: 1 });
    try {
      const single = new WebAssembly.Instance(new WebAssembly.Module(encodeModule([directConvVariant(3, relaxedSimdSupported(), 'k')], { shared: true, minimumPages: 0, maximumPages: 65536 })), { env: { memory: h.memory } }).exports.k as (...c: DirectConvCall) => void;
      const [n, hh, w, ci, co, k] = [7, 12, 11, 3, 10, 3];
      const xAt = h.alloc(n * hh * w * ci * 4);
      const wAt = h.alloc((k * k * ci + 1) * 12 * 4);
      const outs = [h.alloc(n * hh * w * co * 4 + 16), h.alloc(n * hh * w * co * 4 + 16)];
      const f32 = new Float32Array(h.memory.buffer);
      f32.set(randomValues(n * hh * w * ci, 5), xAt / 4);
      f32.set(randomValues((k * k * ci + 1) * 12, 6), wAt / 4);
      for (const o of outs) f32.fill(7, o / 4, o / 4 + n * hh * w * co + 4);
      const call = (out: number): DirectConvCall => [xAt, wAt, out, n, hh, w, ci, hh, w, co, k, k, 1, 1, 1, co];
      single(...call(outs[0]!));
      gemm.directConv(3, ...call(outs[1]!));
      const len = n * hh * w * co;
      const a = f32.slice(outs[0]! / 4, outs[0]! / 4 + len + 4);
      const b = f32.slice(outs[1]! / 4, outs[1]! / 4 + len + 4);
      expect(Array.from(b)).toEqual(Array.from(a));
      expect(Array.from(a.slice(len))).toEqual([7, 7, 7, 7]);
      expect(a.slice(0, len).every((v) => v >= 0)).toBe(true); // relu
    } finally {
      await gemm.dispose();
    }
  });
});
