import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OWN_GEMM_FLAG, WINOGRAD_FLAG } from '../src/wasm/flags';
import { createBackendGemm } from '../src/wasm/runtime/backend-heap';
import { createWasmGemm, type WasmGemm } from '../src/wasm/runtime/gemm';
import { createNodeThreadedGemm } from '../src/wasm/runtime/node-gemm-threads';
import { installOwnGemm } from '../src/wasm/ops/own-gemm-matmul';
import { winogradLimits } from '../src/wasm/ops/winograd-conv';
import { parseTileExport, WINOGRAD_FILTER_EXPORTS, WINOGRAD_TILE_EXPORTS } from '../src/wasm/codegen/winograd-kernels';
import { onBackend, randomValues, relativeError, setUpCpuAndWasm } from './helpers/backends';
import { bumpHeap } from './helpers/bump-heap';

const calls = { tiles: 0, filter: 0, batch: 0, gemm: 0 };
const defaults = { ...winogradLimits };

beforeAll(async () => {
  await setUpCpuAndWasm();
  const wasm = tf.engine().findBackend('wasm');
  const g = createBackendGemm(wasm);
  // the single-threaded GEMM with the Winograd entry points, each counting its calls
  installOwnGemm(
    {
      gemm: (...a) => (calls.gemm++, g.gemm(...a)),
      im2col: (...a) => g.im2col(...a),
      col2im: (...a) => g.col2im(...a),
      gemmBatch: (p) => (calls.batch++, g.gemmBatch(p)),
      winogradTiles: (...a) => (calls.tiles++, g.winogradTiles(...a)),
      winogradFilter: (...a) => (calls.filter++, g.winogradFilter(...a)),
    },
    wasm,
  );
  tf.env().set(OWN_GEMM_FLAG, true);
});

afterAll(() => {
  tf.env().set(OWN_GEMM_FLAG, false);
  installOwnGemm(null);
});

afterEach(() => {
  Object.assign(winogradLimits, defaults);
  tf.env().set(WINOGRAD_FLAG, true);
});

type Pad = 'same' | [[0, 0], [1, 1], [1, 1], [0, 0]];

/** Forward output, input gradient and filter gradient of a 3x3 stride-1 convolution on `backend`. */
function convAndGrads(backend: 'cpu' | 'wasm', n: number, h: number, w: number, ci: number, co: number, pad: Pad): Float32Array[] {
  return onBackend(backend, () => {
    const x = tf.tensor4d(randomValues(n * h * w * ci, 1), [n, h, w, ci]);
    const f = tf.tensor4d(randomValues(9 * ci * co, 2), [3, 3, ci, co]);
    const conv = (xx: tf.Tensor, ff: tf.Tensor): tf.Tensor4D => tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, 1, pad as 'same');
    const y = conv(x, f);
    return [y, ...tf.grads(conv)([x, f], tf.tensor(randomValues(y.size, 3), y.shape))];
  });
}

describe.each([
  [2, false],
  [4, false],
  [4, true],
] as const)('Winograd F(m x m, 3x3) convolutions on wasm (REGSTUDY_WASM_WINOGRAD), m = %i, tiles interleaved: %s', (tile, interleaved) => {
  beforeEach(() => {
    winogradLimits.tile = tile;
    winogradLimits.interleaved = interleaved;
  });

  // [n, h, w, ci, co, padding]: even and odd maps, Ci != Co, batch 1, explicit 'same' pads
  // (Co > 20 where Ci is 16: the few-channel filter gradient takes those first)
  const cases: [number, number, number, number, number, Pad][] = [
    [2, 8, 8, 16, 24, 'same'],
    [1, 9, 8, 16, 28, 'same'],
    [3, 16, 16, 32, 64, 'same'],
    [1, 10, 12, 64, 16, 'same'],
    [4, 4, 4, 32, 32, 'same'],
    [2, 4, 4, 256, 256, 'same'], // ResNet-18's deep stages: long sums over channels
    [1, 8, 8, 128, 128, 'same'],
    [2, 5, 4, 16, 24, 'same'],
    [2, 11, 9, 24, 28, [[0, 0], [1, 1], [1, 1], [0, 0]]],
  ];
  it.each(cases)('n=%i %ix%i %i -> %i (%j): forward, input and filter gradients match cpu, no leaks', (n, h, w, ci, co, pad) => {
    const before = { ...calls };
    const numTensors = tf.memory().numTensors;
    const [yW, dxW, dfW] = convAndGrads('wasm', n, h, w, ci, co, pad);
    const [yC, dxC, dfC] = convAndGrads('cpu', n, h, w, ci, co, pad);
    expect(relativeError(yW!, yC!)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(dxW!, dxC!)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(dfW!, dfC!)).toBeLessThanOrEqual(1e-4);
    // forward twice (once inside tf.grads), the input and the filter gradient: 4 convolutions,
    // 2 tile transforms each (input + output, or input + dy), 16 products in one batch each
    expect(calls.tiles - before.tiles).toBe(8);
    expect(calls.batch - before.batch).toBe(4);
    expect(calls.filter - before.filter).toBe(4);
    expect(tf.memory().numTensors).toBe(numTensors);
  });

  it('goes in chunks of images when the per-position matrices exceed the limit, with the same result', () => {
    const [n, h, w, ci, co] = [5, 8, 8, 16, 24];
    // (m + 2)^2 positions x (8 / m)^2 tiles x 40 channels per image: a limit of 2 images gives chunks 2 + 2 + 1
    winogradLimits.maxFloats = 2 * (tile + 2) ** 2 * (8 / tile) ** 2 * 40;
    const before = { ...calls };
    const [yW, dxW, dfW] = convAndGrads('wasm', n, h, w, ci, co, 'same');
    const [yC, dxC, dfC] = convAndGrads('cpu', n, h, w, ci, co, 'same');
    expect(relativeError(yW!, yC!)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(dxW!, dxC!)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(dfW!, dfC!)).toBeLessThanOrEqual(1e-4);
    expect(calls.batch - before.batch).toBe(4 * 3);
  });

  // channels not divisible by 4, too few channels, a tiny map, stride 2, 'valid', 5x5: other paths
  const others: [string, number[], number[], number, 'same' | 'valid'][] = [
    ['Ci 18', [1, 8, 8, 18], [3, 3, 18, 16], 1, 'same'],
    ['Ci 8', [1, 8, 8, 8], [3, 3, 8, 16], 1, 'same'],
    ['a 2x2 map', [2, 2, 2, 16], [3, 3, 16, 24], 1, 'same'],
    ['a 3x5 map (15 pixels)', [1, 3, 5, 16], [3, 3, 16, 24], 1, 'same'],
    ['stride 2', [1, 8, 8, 16], [3, 3, 16, 16], 2, 'same'],
    ['valid', [1, 8, 8, 16], [3, 3, 16, 16], 1, 'valid'],
    ['5x5', [1, 8, 8, 16], [5, 5, 16, 16], 1, 'same'],
  ];
  it.each(others)('%s is not taken and still matches cpu', (_, xs, fs, s, pad) => {
    const before = calls.tiles;
    const run = (backend: 'cpu' | 'wasm'): Float32Array[] =>
      onBackend(backend, () => tf.conv2d(tf.tensor4d(randomValues(xs.reduce((a, b) => a * b), 1), xs as [number, number, number, number]), tf.tensor4d(randomValues(fs.reduce((a, b) => a * b), 2), fs as [number, number, number, number]), s, pad));
    expect(relativeError(run('wasm')[0]!, run('cpu')[0]!)).toBeLessThanOrEqual(1e-4);
    expect(calls.tiles).toBe(before);
  });

  it.each([
    [2, 16, 16, 20, 30],
    [1, 9, 8, 18, 22],
    [2, 8, 8, 17, 16],
  ])('filter gradient of n=%i %ix%i %i -> %i (channels padded to vectors) matches cpu; forward and input gradient take other paths', (n, h, w, ci, co) => {
    const before = { ...calls };
    const numTensors = tf.memory().numTensors;
    const [yW, dxW, dfW] = convAndGrads('wasm', n, h, w, ci, co, 'same');
    const [yC, dxC, dfC] = convAndGrads('cpu', n, h, w, ci, co, 'same');
    expect(relativeError(yW!, yC!)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(dxW!, dxC!)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(dfW!, dfC!)).toBeLessThanOrEqual(1e-4);
    // only the filter gradient: its input and dy transforms, one batch of products
    expect(calls.tiles - before.tiles).toBe(2);
    expect(calls.batch - before.batch).toBe(1);
    expect(tf.memory().numTensors).toBe(numTensors);
  });

  it('is not taken with the flag off', () => {
    tf.env().set(WINOGRAD_FLAG, false);
    const before = calls.tiles;
    const [yW] = convAndGrads('wasm', 1, 8, 8, 16, 24, 'same');
    const [yC] = convAndGrads('cpu', 1, 8, 8, 16, 24, 'same');
    expect(relativeError(yW!, yC!)).toBeLessThanOrEqual(1e-4);
    expect(calls.tiles).toBe(before);
  });
});

describe('Winograd transforms and batched products over threads', () => {
  it('give the same bytes as one thread', async () => {
    const h = bumpHeap(256, true);
    const local: WasmGemm = createWasmGemm(h.memory, { alloc: h.alloc });
    const threaded = await createNodeThreadedGemm(h.memory, { alloc: h.alloc, threads: 2, minParallelFlops: 0 });
    try {
      const [nb, ht, wd, c] = [5, 9, 10, 12];
      const floats = (k: number): number => h.alloc(k * 4 + 16);
      const image = floats(nb * ht * wd * c);
      const mats = floats(36 * nb * 5 * 5 * c);
      const pad = floats(2 * c);
      const out = [floats(36 * nb * 5 * 5 * c), floats(36 * nb * 5 * 5 * c)];
      const view = (p: number, k: number): Float32Array => new Float32Array(h.memory.buffer, p, k);
      view(image, nb * ht * wd * c).set(randomValues(nb * ht * wd * c, 7));
      view(mats, 36 * nb * 5 * 5 * c).set(randomValues(36 * nb * 5 * 5 * c, 8));
      for (const name of WINOGRAD_TILE_EXPORTS) {
        const { kind, m } = parseTileExport(name);
        const [th, tw] = [Math.ceil(ht / m), Math.ceil(wd / m)];
        const tiles = nb * th * tw;
        const positions = (m + 2) ** 2;
        view(pad, 2 * c).fill(0);
        const results = [local, threaded].map((g, i) => {
          if (kind === 'output') {
            view(out[i]!, nb * ht * wd * c).fill(0);
            g.winogradTiles(name, mats, nb, ht, wd, c, th, tw, out[i]!, c * 4, pad + c * 4, positions * c * 4, c);
            return Array.from(view(out[i]!, nb * ht * wd * c));
          }
          g.winogradTiles(name, image, nb, ht, wd, c, th, tw, out[i]!, c * 4, pad, positions * c * 4, c);
          return Array.from(view(out[i]!, positions * tiles * c));
        });
        expect(results[1]).toEqual(results[0]);
        expect(results[0]!.some((v) => v !== 0)).toBe(true);
      }
      // a filter transform split over the threads (above the parallel threshold)
      const [ci, co] = [128, 160];
      const filter = floats(36 * ci * co);
      const filterOut = [floats(36 * ci * co), floats(36 * ci * co)];
      view(filter, 36 * ci * co).set(randomValues(36 * ci * co, 10));
      for (const name of WINOGRAD_FILTER_EXPORTS) {
        const outs = [local, threaded].map((g, i) => {
          view(filterOut[i]!, 36 * ci * co).fill(0);
          g.winogradFilter(name, filter, ci * co, filterOut[i]!, ci * co * 4);
          return view(filterOut[i]!, 36 * ci * co);
        });
        // compared as bytes (a deep equality of 737,280 numbers is slow to report)
        const differing = outs[0]!.reduce((k, v, i) => k + (Object.is(v, outs[1]![i]) ? 0 : 1), 0);
        expect(differing).toBe(0);
        expect(outs[0]!.some((v) => v !== 0)).toBe(true);
      }
      // 16 products [tiles, c] @ [c, c]
      const tiles = nb * 25;
      const b = floats(c * c);
      view(b, c * c).set(randomValues(c * c, 9));
      const batch = (dst: number): void =>
        (dst === out[0] ? local : threaded).gemmBatch(
          Array.from({ length: 16 }, (_, xi) => ({ m: tiles, n: c, k: c, a: { ptr: mats + xi * tiles * c * 4, ld: c }, b: { ptr: b, ld: c }, c: { ptr: dst + xi * tiles * c * 4, ld: c } })),
        );
      batch(out[0]!);
      batch(out[1]!);
      expect(Array.from(view(out[1]!, 16 * tiles * c))).toEqual(Array.from(view(out[0]!, 16 * tiles * c)));
    } finally {
      await threaded.dispose();
    }
  });
});

describe('RegstudyConv2DBiasRelu where Winograd takes the plain convolution', () => {
  it('falls back to Conv2D, Add, Relu: the same bits as the unfused ops, and their gradients', () => {
    const before = calls.tiles;
    const x = tf.tensor4d(randomValues(2 * 8 * 8 * 16, 31), [2, 8, 8, 16]);
    const f = tf.tensor4d(randomValues(9 * 16 * 24, 32), [3, 3, 16, 24]);
    const b = tf.tensor1d(randomValues(24, 33));
    const dy = tf.tensor4d(randomValues(2 * 8 * 8 * 24, 34), [2, 8, 8, 24]);
    const attrs = { strides: [1, 1], pad: 'same' } as unknown as tf.NamedAttrMap;
    const run = (fused: boolean): Float32Array[] =>
      onBackend('wasm', () => {
        const fn = (xx: tf.Tensor, ff: tf.Tensor, bb: tf.Tensor): tf.Tensor =>
          fused ? (tf.engine().runKernel('RegstudyConv2DBiasRelu', { x: xx, filter: ff, bias: bb }, attrs) as tf.Tensor) : tf.relu(tf.add(tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, 1, 'same'), bb));
        return [fn(x, f, b), ...tf.grads(fn)([x, f, b], dy)];
      });
    const unfused = run(false);
    const fused = run(true);
    // Winograd ran in both (forward twice, input and filter gradients)
    expect(calls.tiles - before).toBe(2 * 8);
    fused.forEach((t, i) => expect(Array.from(t), `output ${i}`).toEqual(Array.from(unfused[i]!)));
    tf.dispose([x, f, b, dy]);
  });
});
