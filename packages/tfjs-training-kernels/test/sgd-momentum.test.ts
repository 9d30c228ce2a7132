import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FUSED_SGD_MOMENTUM_FLAG } from '../src/wasm/flags';
import { SGD_MOMENTUM_KERNEL } from '../src/sgd-momentum-kernel-name';
import { createNodeThreadedGemm } from '../src/wasm/runtime/node-gemm-threads';
import { f32Bits, sgdMomentumFn } from '../src/wasm/codegen/sgd-momentum-kernel';
import { SGD_MOMENTUM_MIN_PARALLEL } from '../src/wasm/runtime/threaded-gemm';
import { encodeModule } from '../src/wasm/codegen/wasm-encoder';
import { SgdMomentumOptimizer } from '../src/sgd-momentum-optimizer';
import { randomValues, setUpCpuAndWasm } from './helpers/backends';
import { bumpHeap } from './helpers/bump-heap';
import { disposeOptimizer } from './helpers/dispose-optimizer';

beforeAll(setUpCpuAndWasm);
afterEach(() => {
  tf.env().set(FUSED_SGD_MOMENTUM_FLAG, true);
  tf.setBackend('cpu');
});

const LR = 0.05;
const M = 0.9;

/**
 * Variables of the given sizes stepped `steps` times by `optimizer` with deterministic gradients;
 * returns their values and accumulators after the last step, and disposes everything.
 */
function stepVariables(backend: 'cpu' | 'wasm', make: () => tf.Optimizer, sizes: number[], steps: number): { values: Float32Array[]; accs: Float32Array[] } {
  tf.setBackend(backend);
  const opt = make();
  const vars = sizes.map((n, i) => tf.tidy(() => tf.variable(tf.tensor1d(randomValues(n, 10 + i)), true, `v${i}_${backend}_${Math.random()}`)));
  for (let s = 0; s < steps; s++) {
    const grads: tf.NamedTensorMap = {};
    vars.forEach((v, i) => (grads[v.name] = tf.tensor1d(randomValues(v.size, 100 * s + i + 1))));
    opt.applyGradients(grads);
    tf.dispose(Object.values(grads));
  }
  const values = vars.map((v) => v.dataSync() as Float32Array);
  const accs = (opt as unknown as { accumulations: { variable: tf.Variable }[] }).accumulations.map((a) => a.variable.dataSync() as Float32Array);
  tf.dispose(vars);
  disposeOptimizer(opt);
  return { values, accs };
}

/** The same step in float32 by hand: acc = fround(fround(acc*m) + g); v = fround(fround(acc*(-lr)) + v). */
function byHand(sizes: number[], steps: number): { values: Float32Array[]; accs: Float32Array[] } {
  const values = sizes.map((n, i) => randomValues(n, 10 + i));
  const accs = sizes.map((n) => new Float32Array(n));
  const m = Math.fround(M);
  const nlr = Math.fround(-LR);
  for (let s = 0; s < steps; s++) {
    sizes.forEach((n, i) => {
      const g = randomValues(n, 100 * s + i + 1);
      for (let k = 0; k < n; k++) {
        accs[i]![k] = Math.fround(accs[i]![k]! * m) + g[k]!;
        values[i]![k] = Math.fround(accs[i]![k]! * nlr) + values[i]![k]!;
      }
    });
  }
  return { values, accs };
}

const SIZES = [1, 3, 4, 5, 1023, 262147];

describe('SgdMomentumOptimizer', () => {
  it('is bit-identical to tf.train.momentum on wasm (fused kernel) and cpu (tfjs ops), and to the float32 formula', () => {
    const fused = stepVariables('wasm', () => new SgdMomentumOptimizer(LR, M), SIZES, 3);
    const stock = stepVariables('wasm', () => tf.train.momentum(LR, M), SIZES, 3);
    const cpu = stepVariables('cpu', () => new SgdMomentumOptimizer(LR, M), SIZES, 3);
    const want = byHand(SIZES, 3);
    SIZES.forEach((_, i) => {
      expect(fused.values[i]).toEqual(stock.values[i]);
      expect(fused.accs[i]).toEqual(stock.accs[i]);
      expect(fused.values[i]).toEqual(want.values[i]);
      expect(fused.accs[i]).toEqual(want.accs[i]);
      expect(cpu.values[i]).toEqual(want.values[i]);
    });
    // the step moved the weights: v1 = v0 - lr * g0 for the first element of the first variable
    const v0 = randomValues(1, 10)[0]!;
    expect(want.values[0]![0]).not.toBe(v0);
  });

  it('runs the fused kernel on wasm, and tfjs Multiply/Add with the flag off, on cpu or with Nesterov', async () => {
    tf.setBackend('wasm');
    const kernelsOf = async (opt: tf.Optimizer): Promise<string[]> => {
      const v = tf.tidy(() => tf.variable(tf.tensor1d([1, 2, 3]), true, `k_${Math.random()}`));
      const g = tf.tensor1d([0.5, -1, 2]);
      const info = await tf.profile(() => opt.applyGradients([{ name: v.name, tensor: g }]));
      tf.dispose([v, g]);
      disposeOptimizer(opt);
      return info.kernelNames;
    };
    const on = await kernelsOf(new SgdMomentumOptimizer(LR, M));
    expect(on).toContain(SGD_MOMENTUM_KERNEL);
    expect(on).not.toContain('Multiply');
    tf.env().set(FUSED_SGD_MOMENTUM_FLAG, false);
    expect(new SgdMomentumOptimizer(LR, M).fusedActive()).toBe(false);
    const off = await kernelsOf(new SgdMomentumOptimizer(LR, M));
    expect(off).not.toContain(SGD_MOMENTUM_KERNEL);
    expect(off).toEqual(expect.arrayContaining(['Multiply', 'Add']));
    tf.env().set(FUSED_SGD_MOMENTUM_FLAG, true);
    expect(await kernelsOf(new SgdMomentumOptimizer(LR, M, true))).not.toContain(SGD_MOMENTUM_KERNEL);
    tf.setBackend('cpu');
    expect(await kernelsOf(new SgdMomentumOptimizer(LR, M))).not.toContain(SGD_MOMENTUM_KERNEL);
  });

  it('hand-computed first steps: acc = g, v = v - lr g; then acc = m g1 + g2', () => {
    tf.setBackend('wasm');
    const opt = new SgdMomentumOptimizer(0.5, 0.5);
    const v = tf.tidy(() => tf.variable(tf.tensor1d([1, 2, 3, 4, 5]), true, `h_${Math.random()}`));
    const g = tf.tensor1d([2, 4, -2, 0, 8]);
    opt.applyGradients([{ name: v.name, tensor: g }]);
    expect([...v.dataSync()]).toEqual([0, 0, 4, 4, 1]);
    opt.applyGradients([{ name: v.name, tensor: g }]);
    // acc = 0.5 g + g = 1.5 g; v -= 0.5 * 1.5 g
    expect([...v.dataSync()]).toEqual([-1.5, -3, 5.5, 4, -5]);
    tf.dispose([v, g]);
    disposeOptimizer(opt);
  });

  it.each(['cpu', 'wasm'])('dispose() alone frees every tensor it made, tfjs base class scalars included (%s)', (backend) => {
    tf.setBackend(backend);
    const start = tf.memory().numTensors;
    const opt = new SgdMomentumOptimizer(LR, M);
    const v = tf.tidy(() => tf.variable(tf.tensor1d(randomValues(8, 5)), true, `d_${Math.random()}`));
    const g = tf.tensor1d(randomValues(8, 6));
    opt.applyGradients([{ name: v.name, tensor: g }]);
    tf.dispose([v, g]);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('does not leak tensors over steps and frees the replaced values', () => {
    tf.setBackend('wasm');
    const start = tf.memory().numTensors;
    const opt = new SgdMomentumOptimizer(LR, M);
    const v = tf.tidy(() => tf.variable(tf.tensor2d(randomValues(12, 3), [3, 4]), true, `l_${Math.random()}`));
    const g = tf.tensor2d(randomValues(12, 4), [3, 4]);
    opt.applyGradients([{ name: v.name, tensor: g }]);
    const after1 = tf.memory();
    for (let i = 0; i < 5; i++) opt.applyGradients([{ name: v.name, tensor: g }]);
    expect(tf.memory().numTensors).toBe(after1.numTensors);
    expect(tf.memory().numBytes).toBe(after1.numBytes);
    expect((tf.memory() as { numDataBuffers: number }).numDataBuffers).toBe((after1 as { numDataBuffers: number }).numDataBuffers);
    tf.dispose([v, g]);
    disposeOptimizer(opt);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('checkpoints round-trip with tf.train.momentum (same names, same state), leaving no tensors', async () => {
    tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const name = `c_${Math.random()}`;
    const v = tf.tidy(() => tf.variable(tf.tensor1d(randomValues(37, 5)), true, name));
    const g = tf.tensor1d(randomValues(37, 6));
    const fused = new SgdMomentumOptimizer(LR, M);
    fused.applyGradients([{ name, tensor: g }]);
    fused.applyGradients([{ name, tensor: g }]);
    const saved = await fused.getWeights();
    expect(saved.map((w) => w.name)).toEqual(['iter', `${name}/momentum`]);
    // into a stock optimizer: one more step each from the same state must agree
    const stock = tf.train.momentum(LR, M);
    const toStock = saved.map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    await stock.setWeights(toStock);
    const start = v.dataSync().slice();
    fused.applyGradients([{ name, tensor: g }]);
    const viaFused = v.dataSync().slice();
    tf.tidy(() => v.assign(tf.tensor1d(start)));
    stock.applyGradients([{ name, tensor: g }]);
    expect(v.dataSync()).toEqual(viaFused);
    // and back: the stock state loads into a new fused optimizer
    const back = new SgdMomentumOptimizer(LR, M);
    const stockSaved = await stock.getWeights();
    const toBack = stockSaved.map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    await back.setWeights(toBack);
    expect(back.iterations).toBe(3);
    const backWeights = await back.getWeights();
    const fusedWeights = await fused.getWeights();
    expect(backWeights.map((w) => w.name)).toEqual(fusedWeights.map((w) => w.name));
    expect(backWeights.slice(1).map((w) => w.tensor.dataSync())).toEqual(fusedWeights.slice(1).map((w) => w.tensor.dataSync()));
    const config = tf.train.momentum(LR, M);
    expect(back.getConfig()).toEqual(config.getConfig());
    expect(SgdMomentumOptimizer.className).toBe('Momentum');
    // getWeights' 'iter' scalars are fresh; setWeights keeps its own variables (the clones are ours)
    tf.dispose([v, g, saved[0]!.tensor, stockSaved[0]!.tensor, backWeights[0]!.tensor, fusedWeights[0]!.tensor]);
    tf.dispose([...toStock, ...toBack].map((w) => w.tensor));
    [fused, stock, back, config].forEach(disposeOptimizer);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('steps in place only when no other tensor shares the buffers, with the same results', () => {
    const run = (inPlace: boolean, shareValue: boolean): { v: Float32Array; a: Float32Array; kept: Float32Array | null; sameBuffer: boolean } => {
      tf.setBackend('wasm');
      const start = tf.memory().numTensors;
      const opt = new SgdMomentumOptimizer(LR, M);
      opt.inPlace = inPlace;
      const v = tf.tidy(() => tf.variable(tf.tensor1d(randomValues(1029, 7)), true, `p_${Math.random()}`));
      const g = tf.tensor1d(randomValues(1029, 8));
      opt.applyGradients([{ name: v.name, tensor: g }]);
      const shared = shareValue ? tf.clone(v) : null; // our wasm Identity shares the buffer (refCount 2)
      const before = v.dataId;
      opt.applyGradients([{ name: v.name, tensor: g }]);
      const sameBuffer = v.dataId === before;
      const out = {
        v: v.dataSync() as Float32Array,
        a: (opt as unknown as { accumulations: { variable: tf.Variable }[] }).accumulations[0]!.variable.dataSync() as Float32Array,
        kept: shared === null ? null : (shared.dataSync() as Float32Array),
        sameBuffer,
      };
      tf.dispose([v, g, ...(shared ? [shared] : [])]);
      disposeOptimizer(opt);
      expect(tf.memory().numTensors).toBe(start);
      return out;
    };
    const copy = run(false, false);
    const inPlace = run(true, false);
    const guarded = run(true, true);
    expect(copy.sameBuffer).toBe(false);
    expect(inPlace.sameBuffer).toBe(true);
    expect(guarded.sameBuffer).toBe(false);
    expect(inPlace.v).toEqual(copy.v);
    expect(inPlace.a).toEqual(copy.a);
    expect(guarded.v).toEqual(copy.v);
    // the clone taken after step 1 still holds step 1's values: v0 - lr * g
    const v0 = randomValues(1029, 7);
    const g0 = randomValues(1029, 8);
    expect(guarded.kept![5]).toBe(Math.fround(Math.fround(g0[5]! * Math.fround(-LR)) + v0[5]!));
  });
});

describe('generated sgdMomentum kernel', () => {
  it('splits over threads on a shared memory with the same bytes as one pass, for odd sizes', async () => {
    const { memory, alloc } = bumpHeap(256, true);
    const g = await createNodeThreadedGemm(memory, { alloc, threads: 2 });
    try {
      for (const n of [5, SGD_MOMENTUM_MIN_PARALLEL + 3, 2 * SGD_MOMENTUM_MIN_PARALLEL + 17]) {
        const [v, a, gr, oa1, ov1, oa2, ov2] = Array.from({ length: 7 }, () => alloc(n * 4)) as [number, number, number, number, number, number, number];
        const view = (p: number): Float32Array => new Float32Array(memory.buffer, p, n);
        view(v).set(randomValues(n, 1));
        view(a).set(randomValues(n, 2));
        view(gr).set(randomValues(n, 3));
        g.sgdMomentum(v, a, gr, oa1, ov1, n, f32Bits(-LR), f32Bits(M));
        g.local.sgdMomentum(v, a, gr, oa2, ov2, n, f32Bits(-LR), f32Bits(M));
        expect(view(oa1!)).toEqual(view(oa2!));
        expect(view(ov1!)).toEqual(view(ov2!));
        const i = n - 1; // the scalar tail, by hand
        const na = Math.fround(Math.fround(view(a!)[i]! * Math.fround(M)) + view(gr!)[i]!);
        expect(view(oa1!)[i]).toBe(na);
        expect(view(ov1!)[i]).toBe(Math.fround(Math.fround(na * Math.fround(-LR)) + view(v!)[i]!));
      }
    } finally {
      await g.dispose();
    }
  });

  it('encodes a valid module', () => {
    expect(WebAssembly.validate(encodeModule([sgdMomentumFn()], { shared: false, minimumPages: 0 }))).toBe(true);
  });
});
