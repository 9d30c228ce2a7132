import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_KERNELS_FLAG } from '../src/wasm/flags';
import { CHANNEL_OPS_MIN_ELEMENTS } from '../src/wasm/ops/channel-ops';
import { createBackendGemm } from '../src/wasm/runtime/backend-heap';
import { createWasmGemm } from '../src/wasm/runtime/gemm';
import { CHANNEL_EXPORTS, isBinaryMap, isUnary, type ChannelCall } from '../src/wasm/codegen/channel-kernels';
import { createNodeThreadedGemm } from '../src/wasm/runtime/node-gemm-threads';
import { CHANNEL_MIN_PARALLEL } from '../src/wasm/runtime/threaded-gemm';
import { installOwnGemm } from '../src/wasm/ops/own-gemm-matmul';
import { onBackend, randomValues, relativeError, setUpCpuAndWasm } from './helpers/backends';
import { bumpHeap } from './helpers/bump-heap';

let channelCalls = 0;
beforeAll(async () => {
  await setUpCpuAndWasm();
  const wasm = tf.engine().findBackend('wasm');
  const g = createBackendGemm(wasm);
  installOwnGemm({ gemm: (...a) => g.gemm(...a), channel: (...a) => (channelCalls++, g.channel(...a)) }, wasm);
});
afterAll(() => installOwnGemm(null));
afterEach(() => tf.env().set(CHANNEL_KERNELS_FLAG, true));

const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);

describe('per-channel Add, Sub, Multiply on the generated kernels (REGSTUDY_WASM_CHANNEL_KERNELS)', () => {
  // [big shape, vector shape, taken]: vector [C] or [1,1,1,C], either operand order; C not a
  // multiple of 4, too small, or two full tensors keep other paths
  const cases: [number[], number[], boolean][] = [
    [[8, 6, 5, 64], [64], true],
    [[4, 4, 4, 256], [1, 1, 1, 256], true],
    [[33, 128], [128], true],
    [[8, 6, 5, 52], [52], true],
    [[8, 6, 5, 50], [50], false],
    [[16, 16, 16, 10], [10], true], // fewer than 48 channels: widened to rows of 32 x 10, then the generated pass
    [[16, 16, 16, 30], [1, 1, 1, 30], true],
    [[2, 2, 2, 64], [64], false],
  ];
  for (const op of ['add', 'sub', 'mul'] as const) {
    it.each(cases)(`${op}: %j with %j (taken: %s) matches cpu, both orders, no leaks`, (big, vec, taken) => {
      const fn = { add: tf.add, sub: tf.sub, mul: tf.mul }[op];
      const a = randomValues(size(big), 11);
      const v = randomValues(size(vec), 12);
      for (const vecFirst of [false, true]) {
        const before = channelCalls;
        const numTensors = tf.memory().numTensors;
        const run = (backend: 'cpu' | 'wasm'): Float32Array[] =>
          onBackend(backend, () => (vecFirst ? fn(tf.tensor(v, vec), tf.tensor(a, big)) : fn(tf.tensor(a, big), tf.tensor(v, vec))));
        const [w] = run('wasm');
        const [c] = run('cpu');
        // the same float32 operation per element: bit-identical
        expect(Array.from(w!)).toEqual(Array.from(c!));
        expect(channelCalls > before).toBe(taken);
        expect(tf.memory().numTensors).toBe(numTensors);
      }
    });
  }
});

describe('Relu, Square and Floor on the generated kernels', () => {
  it.each([[[8, 8, 8, 64]], [[4099, 3]]])('%j matches cpu bit for bit, with NaN, -0, +-Infinity and an odd tail', (shape) => {
    const x = randomValues(size(shape), 21);
    x.set([Number.NaN, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1e-30, -2.5, 2.5, -0.5, 8388609, -8388609], 0);
    x[x.length - 1] = Number.NaN;
    x[x.length - 2] = -0;
    expect(size(shape)).toBeGreaterThanOrEqual(CHANNEL_OPS_MIN_ELEMENTS);
    for (const fn of [tf.relu, tf.square, tf.floor]) {
      const before = channelCalls;
      const [w] = onBackend('wasm', () => fn(tf.tensor(x, shape)));
      const [c] = onBackend('cpu', () => fn(tf.tensor(x, shape)));
      expect(Array.from(w!).map((v) => Object.is(v, -0) ? '-0' : v)).toEqual(Array.from(c!).map((v) => Object.is(v, -0) ? '-0' : v));
      expect(channelCalls).toBe(before + 1);
    }
  });
});

describe('FusedBatchNorm on the generated kernel', () => {
  it.each([[true, true], [false, false], [true, false]])('scale %s offset %s: matches cpu, and the flag-off path', (withScale, withOffset) => {
    const shape = [6, 5, 7, 32];
    const c = 32;
    const xv = randomValues(size(shape), 31).map((v) => 3 + 2 * v);
    const run = (backend: 'cpu' | 'wasm') =>
      onBackend(backend, () =>
        tf.batchNorm(
          tf.tensor(xv, shape),
          tf.tensor1d(randomValues(c, 32).map((v) => 3 + v)),
          tf.tensor1d(randomValues(c, 33).map((v) => 1.5 + v)),
          withOffset ? tf.tensor1d(randomValues(c, 34)) : undefined,
          withScale ? tf.tensor1d(randomValues(c, 35)) : undefined,
          1e-3,
        ),
      );
    const before = channelCalls;
    const [on] = run('wasm');
    expect(channelCalls).toBe(before + 1);
    tf.env().set(CHANNEL_KERNELS_FLAG, false);
    const [off] = run('wasm');
    expect(channelCalls).toBe(before + 1);
    const [cpu] = run('cpu');
    expect(relativeError(on!, cpu!)).toBeLessThanOrEqual(1e-5);
    // the same operations in the same order as the composite it replaces
    expect(Array.from(on!)).toEqual(Array.from(off!));
  });
});

describe('channel kernels over threads', () => {
  it('give the same bytes as one thread for every export', async () => {
    const h = bumpHeap(64, true);
    const local = createWasmGemm(h.memory, { alloc: h.alloc });
    const threaded = await createNodeThreadedGemm(h.memory, { alloc: h.alloc, threads: 2 });
    try {
      const [rows, c] = [1031, 68];
      const n = rows * c;
      expect(n).toBeGreaterThanOrEqual(CHANNEL_MIN_PARALLEL);
      const floats = (k: number): number => h.alloc(k * 4 + 16);
      const x = floats(n);
      const x2 = floats(n);
      const vecs = [floats(c), floats(c), floats(c)];
      const out = [floats(n), floats(n)];
      const view = (p: number, k: number): Float32Array => new Float32Array(h.memory.buffer, p, k);
      view(x, n).set(randomValues(n, 41));
      view(x2, n).set(randomValues(n, 45));
      vecs.forEach((p, i) => view(p, c).set(randomValues(c, 42 + i)));
      for (const name of CHANNEL_EXPORTS) {
        const results = [local, threaded].map((g, i) => {
          const o = out[i]!;
          // poolSpread: 200 dy rows of 17 pixels x 5 channels, 2x2 windows -> 68,000 dx floats (< n)
          const call: ChannelCall = isUnary(name)
            ? [x, o, n - 1, 0, 0, 0, 0, 0]
            : isBinaryMap(name)
              ? [x, x2, o, n - 1, 0, 0, 0, 0]
              : name === 'chanNorm'
                ? [x, vecs[0]!, vecs[1]!, vecs[2]!, o, rows, c, 0]
                : name === 'poolSpread'
                  ? [x, o, 200, 17, 5, 2, 2, new Int32Array(Float32Array.of(0.25).buffer)[0]!]
                  : [x, vecs[0]!, o, rows, c, 0, 0, 0];
          view(o, n).fill(7);
          g.channel(name, ...call);
          return Array.from(view(o, n));
        });
        expect(results[1], name).toEqual(results[0]);
        // the element maps were asked for n - 1 elements: the last stays untouched
        if (isUnary(name) || isBinaryMap(name)) expect(results[0]![n - 1]).toBe(7);
      }
    } finally {
      await threaded.dispose();
    }
  });
});

describe('per-row broadcasts ([R, 1] with [R, C]) in one JavaScript pass', () => {
  const cases: [number[], number[]][] = [
    [[64, 1], [64, 200]],
    [[2, 3, 1], [2, 3, 5]],
    [[300, 1], [300, 300]], // 90,000 elements: above the limit, the stock kernel
  ];
  for (const op of ['add', 'sub', 'mul'] as const) {
    it.each(cases)(`${op}: %j with %j matches cpu bit for bit, both orders, flag on and off`, (rowShape, fullShape) => {
      const fn = { add: tf.add, sub: tf.sub, mul: tf.mul }[op];
      const r = randomValues(size(rowShape), 51);
      const m = randomValues(size(fullShape), 52);
      for (const rowFirst of [true, false]) {
        const run = (backend: 'cpu' | 'wasm'): Float32Array => {
          const [out] = onBackend(backend, () => (rowFirst ? fn(tf.tensor(r, rowShape), tf.tensor(m, fullShape)) : fn(tf.tensor(m, fullShape), tf.tensor(r, rowShape))));
          return out!;
        };
        const cpu = Array.from(run('cpu'));
        expect(Array.from(run('wasm'))).toEqual(cpu);
        tf.env().set(CHANNEL_KERNELS_FLAG, false);
        expect(Array.from(run('wasm'))).toEqual(cpu);
        tf.env().set(CHANNEL_KERNELS_FLAG, true);
      }
    });
  }
});

describe('the relu gradient in one pass (RegstudyReluGrad)', () => {
  it.each([[[8, 8, 8, 64]], [[4099, 3]], [[5, 7]]])('%j matches cpu bit for bit, with NaN, +-0 and infinities in x and dy, no leaks', (shape) => {
    const n = size(shape);
    const x = randomValues(n, 61);
    const dy = randomValues(n, 62);
    const specials = [Number.NaN, -0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-30, -1e-30];
    specials.forEach((v, i) => {
      x[i] = v;
      dy[specials.length + i] = v;
      x[2 * specials.length + i] = -1;
      dy[2 * specials.length + i] = v;
    });
    x[n - 1] = Number.NaN;
    const grad = (backend: 'cpu' | 'wasm'): (number | string)[] => {
      const [g] = onBackend(backend, () => tf.grad((t: tf.Tensor) => tf.relu(t))(tf.tensor(x, shape), tf.tensor(dy, shape)));
      return Array.from(g!).map((v) => (Object.is(v, -0) ? '-0' : v));
    };
    const numTensors = tf.memory().numTensors;
    const before = channelCalls;
    const wasm = grad('wasm');
    // relu forward and its gradient both on the generated kernels when large enough
    if (n >= CHANNEL_OPS_MIN_ELEMENTS) expect(channelCalls - before).toBe(2);
    expect(wasm).toEqual(grad('cpu'));
    expect(tf.memory().numTensors).toBe(numTensors);
    tf.env().set(CHANNEL_KERNELS_FLAG, false);
    expect(grad('wasm')).toEqual(grad('cpu'));
  });

  it('the kernel names its inputs in errors', () => {
    tf.setBackend('wasm');
    expect(() => tf.engine().runKernel('RegstudyReluGrad', { dy: tf.tensor1d([1, 2], 'int32'), x: tf.tensor1d([1, 2]) })).toThrow(/input 'dy' must be float32/);
    expect(() => tf.engine().runKernel('RegstudyReluGrad', { dy: tf.tensor1d([1, 2]), x: tf.tensor1d([1, 2, 3]) })).toThrow(/'dy' \[2\] and 'x' \[3\] differ/);
  });
});

describe('AvgPoolGrad of tiling windows in one generated pass (poolSpread)', () => {
  // [x shape, window]: 2x2 (the study's), 3x3 (1/9 rounded to float32 once), 2x1, C not a multiple of 4
  const cases: [[number, number, number, number], [number, number]][] = [
    [[4, 16, 16, 10], [2, 2]],
    [[4, 18, 12, 7], [3, 3]],
    [[3, 8, 20, 33], [2, 1]],
  ];
  it.each(cases)('x %j, window %j: matches cpu, flag on and off, no leaks', (shape, [kh, kw]) => {
    const n = size(shape);
    expect(n).toBeGreaterThanOrEqual(CHANNEL_OPS_MIN_ELEMENTS);
    const x = randomValues(n, 71);
    const grad = (backend: 'cpu' | 'wasm'): Float32Array => {
      const [g] = onBackend(backend, () => {
        const t = tf.tensor4d(x, shape);
        const y = tf.avgPool(t, [kh, kw], [kh, kw], 'valid');
        return tf.grad((u: tf.Tensor) => tf.avgPool(u as tf.Tensor4D, [kh, kw], [kh, kw], 'valid'))(t, tf.tensor(randomValues(y.size, 72), y.shape));
      });
      return g!;
    };
    const numTensors = tf.memory().numTensors;
    const before = channelCalls;
    const on = grad('wasm');
    expect(channelCalls).toBeGreaterThan(before);
    const cpu = grad('cpu');
    expect(relativeError(on, cpu)).toBeLessThanOrEqual(1e-6);
    tf.env().set(CHANNEL_KERNELS_FLAG, false);
    // the composite it replaces multiplies by the same float32 factor: the same bits
    expect(Array.from(grad('wasm'))).toEqual(Array.from(on));
    expect(tf.memory().numTensors).toBe(numTensors);
  });
});
