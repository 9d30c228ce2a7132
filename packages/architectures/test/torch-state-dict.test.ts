import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createInitialModel,
  createNewModel,
  createResNet,
  exportTorchStateDict,
  loadTorchStateDict,
  readSafetensors,
  torchParameters,
  writeSafetensors,
} from '../src/index';
import { lcg, randomArray, useCpu } from './helpers/backend';
import { f32Bytes, rawSafetensors } from './helpers/raw-safetensors';

beforeAll(useCpu);

// ---- an independent NCHW reference forward pass of the Initial Model, in plain loops ----
type Arr = Float32Array;

function conv3x3Pad1(x: Arr, C: number, H: number, W: number, w: Arr, b: Arr, O: number): Arr {
  const out = new Float32Array(O * H * W);
  for (let o = 0; o < O; o++)
    for (let y = 0; y < H; y++)
      for (let x0 = 0; x0 < W; x0++) {
        let s = b[o]!;
        for (let c = 0; c < C; c++)
          for (let ky = 0; ky < 3; ky++)
            for (let kx = 0; kx < 3; kx++) {
              const iy = y + ky - 1;
              const ix = x0 + kx - 1;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              s += w[((o * C + c) * 3 + ky) * 3 + kx]! * x[(c * H + iy) * W + ix]!;
            }
        out[(o * H + y) * W + x0] = s;
      }
  return out;
}
const reluArr = (a: Arr): Arr => a.map((v) => Math.max(0, v));
function avgPool2(x: Arr, C: number, H: number, W: number): Arr {
  const h = H / 2;
  const w = W / 2;
  const out = new Float32Array(C * h * w);
  for (let c = 0; c < C; c++)
    for (let y = 0; y < h; y++)
      for (let x0 = 0; x0 < w; x0++) {
        const at = (dy: number, dx: number): number => x[(c * H + 2 * y + dy) * W + 2 * x0 + dx]!;
        out[(c * h + y) * w + x0] = (at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1)) / 4;
      }
  return out;
}
function linear(x: Arr, w: Arr, b: Arr, O: number): Arr {
  const N = x.length;
  const out = new Float32Array(O);
  for (let o = 0; o < O; o++) {
    let s = b[o]!;
    for (let n = 0; n < N; n++) s += w[o * N + n]! * x[n]!;
    out[o] = s;
  }
  return out;
}
/** NCHW [C,H,W] -> NHWC order (to emulate a loader that forgets the flatten permutation). */
function toNhwcOrder(x: Arr, C: number, H: number, W: number): Arr {
  const out = new Float32Array(x.length);
  for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) out[(h * W + w) * C + c] = x[(c * H + h) * W + w]!;
  return out;
}

describe('loadTorchStateDict: layouts and the NCHW flatten permutation', () => {
  it('Initial Model on 8x8 inputs matches an independent NCHW reference computed in plain loops', () => {
    const rand = lcg(42);
    const sd: Record<string, { shape: number[]; data: Float32Array }> = {
      'conv1.weight': { shape: [10, 3, 3, 3], data: randomArray(270, rand, -0.4, 0.4) },
      'conv1.bias': { shape: [10], data: randomArray(10, rand, -0.1, 0.1) },
      'conv2.weight': { shape: [20, 10, 3, 3], data: randomArray(1800, rand, -0.2, 0.2) },
      'conv2.bias': { shape: [20], data: randomArray(20, rand, -0.1, 0.1) },
      'fc1.weight': { shape: [2000, 80], data: randomArray(160000, rand, -0.2, 0.2) },
      'fc1.bias': { shape: [2000], data: randomArray(2000, rand, -0.1, 0.1) },
      'fc2.weight': { shape: [5, 2000], data: randomArray(10000, rand, -0.05, 0.05) },
      'fc2.bias': { shape: [5], data: randomArray(5, rand, -0.1, 0.1) },
    };
    const xNchw = randomArray(3 * 8 * 8, rand, 0, 1);
    const w = (k: string): Arr => sd[k]!.data;
    let a = avgPool2(reluArr(conv3x3Pad1(xNchw, 3, 8, 8, w('conv1.weight'), w('conv1.bias'), 10)), 10, 8, 8);
    a = avgPool2(reluArr(conv3x3Pad1(a, 10, 4, 4, w('conv2.weight'), w('conv2.bias'), 20)), 20, 4, 4); // [20,2,2]
    const head = (flat: Arr): Arr => linear(reluArr(linear(flat, w('fc1.weight'), w('fc1.bias'), 2000)), w('fc2.weight'), w('fc2.bias'), 5);
    const expected = head(a);
    const wrongOrder = head(toNhwcOrder(a, 20, 2, 2));

    const m = createInitialModel({ inputShape: [8, 8, 3], numClasses: 5 });
    const before = tf.memory().numTensors;
    loadTorchStateDict(m, writeSafetensors(sd));
    expect(tf.memory().numTensors).toBe(before);
    const fc1 = torchParameters(m).find((p) => p.key === 'fc1.weight');
    expect(fc1?.flattenFrom).toEqual([2, 2, 20]);
    expect(torchParameters(m).find((p) => p.key === 'fc2.weight')?.flattenFrom).toBeUndefined();

    const x = tf.tensor(toNhwcOrder(xNchw, 3, 8, 8), [1, 8, 8, 3]);
    const y = m.predict(x) as tf.Tensor;
    const got = y.dataSync();
    const maxAbs = (u: ArrayLike<number>, v: ArrayLike<number>): number => Array.from(u).reduce((s, ui, i) => Math.max(s, Math.abs(ui - v[i]!)), 0);
    const scale = Math.max(...Array.from(expected).map(Math.abs));
    expect(maxAbs(got, expected) / scale).toBeLessThan(1e-5);
    // the test is sensitive to the permutation: skipping it changes the logits a lot
    expect(maxAbs(wrongOrder, expected) / scale).toBeGreaterThan(1e-2);
    tf.dispose([x, y]);
    m.dispose();
  });
});

/** Gives every batch-norm layer random statistics and affine parameters (so they are tested too). */
function randomizeBatchNorm(m: LayersModel, seed: number): void {
  const rand = lcg(seed);
  for (const layer of m.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const values = layer.getWeights().map((w, i) => tf.tensor(randomArray(w.size, rand, i === 3 ? 0.5 : -0.2, i === 3 ? 1.5 : 0.2).map((v) => (i === 0 ? v + 1 : v)), w.shape));
    layer.setWeights(values);
    tf.dispose(values);
  }
}

describe('export / load round trip', () => {
  const cases: [string, () => LayersModel, (seed: number) => LayersModel][] = [
    ['initial', () => createInitialModel({ seed: 1 }), (s) => createInitialModel({ seed: s })],
    ['new', () => createNewModel({ seed: 1 }), (s) => createNewModel({ seed: s })],
    ['resnet18', () => createResNet({ seed: 1 }), (s) => createResNet({ seed: s })],
  ];
  it.each(cases)('%s: a fresh model loaded from the export gives identical logits and re-exports identical bytes', (_name, makeA, makeB) => {
    const base = tf.memory().numTensors;
    const a = makeA();
    randomizeBatchNorm(a, 9);
    const bytes = exportTorchStateDict(a);
    const b = makeB(2);
    const x = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 3);
    const yB0 = b.predict(x) as tf.Tensor;
    const mid = tf.memory().numTensors;
    loadTorchStateDict(b, bytes);
    expect(tf.memory().numTensors).toBe(mid);
    const yA = a.predict(x) as tf.Tensor;
    const yB = b.predict(x) as tf.Tensor;
    expect(Array.from(yB.dataSync())).toEqual(Array.from(yA.dataSync()));
    expect(Array.from(yB0.dataSync())).not.toEqual(Array.from(yA.dataSync()));
    expect(Buffer.from(exportTorchStateDict(b)).equals(Buffer.from(bytes))).toBe(true);
    tf.dispose([x, yA, yB, yB0]);
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(base);
  });

  it('exports torchvision key names and PyTorch shapes for ResNet-18', () => {
    const m = createResNet({ numClasses: 10, stem: 'cifar' });
    const file = readSafetensors(exportTorchStateDict(m));
    const shapes = Object.fromEntries([...file.tensors.values()].map((e) => [e.name, e.shape]));
    expect(shapes['conv1.weight']).toEqual([64, 3, 3, 3]);
    expect(shapes['bn1.running_var']).toEqual([64]);
    expect(shapes['layer1.0.conv1.weight']).toEqual([64, 64, 3, 3]);
    expect(shapes['layer2.0.downsample.0.weight']).toEqual([128, 64, 1, 1]);
    expect(shapes['layer2.0.downsample.1.running_mean']).toEqual([128]);
    expect(shapes['layer4.1.bn2.bias']).toEqual([512]);
    expect(shapes['fc.weight']).toEqual([10, 512]);
    expect(shapes['fc.bias']).toEqual([10]);
    expect(file.tensors.size).toBe(20 + 20 * 4 + 2); // 20 bias-free convs, 20 BNs x 4, fc weight and bias
    expect(file.metadata).toEqual({ format: 'pt', 'regstudy.model': 'resnet18' });
    m.dispose();
  });
});

describe('loadTorchStateDict errors and options', () => {
  it('lists missing, unexpected and mis-shaped keys together, and writes nothing', () => {
    const initial = createInitialModel({ seed: 1 });
    const bytes = exportTorchStateDict(initial);
    initial.dispose();
    const m = createNewModel({ seed: 2 });
    const before = m.getLayer('conv1').getWeights()[0]!.dataSync().slice();
    let message = '';
    try {
      loadTorchStateDict(m, bytes);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^loadTorchStateDict: the state dict does not match model "new"/);
    expect(message).toMatch(/missing keys \(2\): conv3\.weight, conv3\.bias/);
    expect(message).toMatch(/mis-shaped keys \(3\): fc1\.weight \(expected \[1000, 1920\], got \[2000, 5120\]\), fc1\.bias/);
    expect(message).toMatch(/fc2\.weight \(expected \[200, 1000\], got \[200, 2000\]\)/);
    expect(m.getLayer('conv1').getWeights()[0]!.dataSync()).toEqual(before);
    m.dispose();
  });

  it('reports unexpected keys unless strict is false; ignores num_batches_tracked (I64); rejects non-F32 weights', () => {
    const m = createInitialModel({ inputShape: [4, 4, 3], numClasses: 2 });
    const file = readSafetensors(exportTorchStateDict(m));
    const entries = [...file.tensors.values()].map((e) => ({ name: e.name, dtype: e.dtype, shape: e.shape, bytes: e.bytes }));
    const extra = { name: 'head.weight', dtype: 'F32', shape: [1], bytes: f32Bytes([1]) };
    const counter = { name: 'bn9.num_batches_tracked', dtype: 'I64', shape: [], bytes: new Uint8Array(8) };
    expect(() => loadTorchStateDict(m, rawSafetensors([...entries, extra, counter]))).toThrow(/unexpected keys \(1\): head\.weight$/);
    expect(() => loadTorchStateDict(m, rawSafetensors([...entries, extra, counter]), { strict: false })).not.toThrow();
    const half = entries.map((e) => (e.name === 'fc2.bias' ? { ...e, dtype: 'F16', bytes: e.bytes.subarray(0, 4) } : e));
    expect(() => loadTorchStateDict(m, rawSafetensors(half))).toThrow(/keys not float32 \(only F32 is supported\) \(1\): fc2\.bias \(F16\)/);
    m.dispose();
  });

  it('exclude keeps the excluded layers (e.g. a 1000-class fc when fine-tuning to 200 classes)', () => {
    const src = createInitialModel({ inputShape: [8, 8, 3], numClasses: 7, seed: 1 });
    const bytes = exportTorchStateDict(src);
    const m = createInitialModel({ inputShape: [8, 8, 3], numClasses: 3, seed: 2 });
    const fc2 = m.getLayer('fc2').getWeights()[0]!.dataSync().slice();
    expect(() => loadTorchStateDict(m, bytes)).toThrow(/mis-shaped keys \(2\): fc2\.weight/);
    loadTorchStateDict(m, bytes, { exclude: /^fc2\./ });
    expect(m.getLayer('fc2').getWeights()[0]!.dataSync()).toEqual(fc2);
    expect(m.getLayer('conv1').getWeights()[0]!.dataSync()).toEqual(src.getLayer('conv1').getWeights()[0]!.dataSync());
    src.dispose();
    m.dispose();
  });
});
