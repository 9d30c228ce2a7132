import type { TensorInfo } from '@tensorflow/tfjs-core';
import { ownGemm, ownGemmInstalledFor, heapOffset, type WasmTensorBackend } from './own-gemm-matmul';
import {
  f32Bits,
  sgdMomentumFn,
  sgdMomentumRegFn,
  SGD_MOMENTUM_EXPORT,
  SGD_MOMENTUM_REG_EXPORT,
  type SgdMomentum,
  type SgdMomentumCall,
  type SgdMomentumReg,
  type SgdMomentumRegCall,
} from '../codegen/sgd-momentum-kernel';
import { standaloneBackendFunction } from '../codegen/standalone-function';
import { SGD_MOMENTUM_ABS_SUM_SLOTS, type SgdMomentumAttrs } from '../../sgd-momentum-kernel-name';

/**
 * The wasm kernel `RegstudySgdMomentum`: one pass over `value`, `accumulation` and `gradient`
 * writing two new heap tensors,
 *
 *   newAccumulation = accumulation * momentum + gradient
 *   newValue        = newAccumulation * (-learningRate) + value
 *
 * each operation rounded to float32 as tfjs' `mul` / `add` kernels round (bit-identical to
 * `tf.train.momentum` on wasm). Runs on the installed GEMM's module (`useBackend('wasm')`: split
 * over its worker threads from 256K floats), else on a module compiled for the heap alone, else
 * (no heap found, or the engine refuses a synchronous compile) in a JavaScript loop with the same
 * roundings. Returns `[newAccumulation, newValue]`: new tensors, or with `attrs.inPlace` the
 * input buffers overwritten and shared (reference-counted, as `Identity` shares).
 *
 * With `attrs.l1` or `attrs.decay` given, the gradient is `(gradient + l1 * sign(value)) + decay *
 * value` in the same pass (see `sgdMomentumRegFn`), and a third output `absSums` (float32
 * `[SGD_MOMENTUM_ABS_SUM_SLOTS]`) holds partial sums of `|value|` before the step (one per thread
 * slice, the rest 0): their total is `sum |value|`.
 *
 * @throws naming the input when dtypes or shapes differ.
 */
export function sgdMomentum(backend: unknown, inputs: { value: TensorInfo; accumulation: TensorInfo; gradient: TensorInfo }, attrs: SgdMomentumAttrs): TensorInfo[] {
  const { value, accumulation, gradient } = inputs;
  for (const [name, t] of [['value', value], ['accumulation', accumulation], ['gradient', gradient]] as const) {
    if (t.dtype !== 'float32') throw new Error(`RegstudySgdMomentum: input '${name}' must be float32; got ${t.dtype}`);
    if (t.shape.length !== value.shape.length || t.shape.some((d, i) => d !== value.shape[i])) {
      throw new Error(`RegstudySgdMomentum: input '${name}' has shape [${t.shape.join(',')}], expected value's [${value.shape.join(',')}]`);
    }
  }
  const be = backend as WasmTensorBackend & { incRef(dataId: object): void };
  const n = value.shape.reduce((a, b) => a * b, 1);
  let newAcc: TensorInfo;
  let newValue: TensorInfo;
  if (attrs.inPlace === true && value.dataId !== accumulation.dataId) {
    be.incRef(accumulation.dataId);
    be.incRef(value.dataId);
    newAcc = { dataId: accumulation.dataId, shape: [...value.shape], dtype: 'float32' };
    newValue = { dataId: value.dataId, shape: [...value.shape], dtype: 'float32' };
  } else {
    newAcc = be.makeOutput([...value.shape], 'float32');
    newValue = be.makeOutput([...value.shape], 'float32');
  }
  const regularized = attrs.l1 !== undefined || attrs.decay !== undefined;
  if (regularized) {
    const absSums = be.makeOutput([SGD_MOMENTUM_ABS_SUM_SLOTS], 'float32');
    (be.typedArrayFromHeap(absSums) as Float32Array).fill(0);
    if (n > 0) regularizedStep(be, backend, value, accumulation, gradient, newAcc, newValue, absSums, n, attrs);
    return [newAcc, newValue, absSums];
  }
  if (n === 0) return [newAcc, newValue];
  const call: SgdMomentumCall = [
    heapOffset(be, value), heapOffset(be, accumulation), heapOffset(be, gradient), heapOffset(be, newAcc), heapOffset(be, newValue),
    n, f32Bits(-attrs.learningRate), f32Bits(attrs.momentum),
  ];
  const gemm = ownGemmInstalledFor(backend) ? ownGemm() : null;
  if (gemm?.sgdMomentum) {
    gemm.sgdMomentum(...call);
    return [newAcc, newValue];
  }
  const fn = standaloneBackendFunction<SgdMomentum>(backend, SGD_MOMENTUM_EXPORT, sgdMomentumFn);
  if (fn !== null) {
    fn(...call);
    return [newAcc, newValue];
  }
  const view = (t: TensorInfo): Float32Array => be.typedArrayFromHeap(t) as Float32Array;
  const [v, a, g, oa, ov] = [view(value), view(accumulation), view(gradient), view(newAcc), view(newValue)];
  const m = Math.fround(attrs.momentum);
  const lr = Math.fround(-attrs.learningRate);
  for (let i = 0; i < n; i++) {
    const na = Math.fround(Math.fround(a[i]! * m) + g[i]!);
    oa[i] = na;
    ov[i] = Math.fround(na * lr) + v[i]!;
  }
  return [newAcc, newValue];
}

/** The step with the L1 and decay terms (see {@link sgdMomentum}): installed GEMM, else a module of its own, else JavaScript. */
function regularizedStep(
  be: WasmTensorBackend,
  backend: unknown,
  value: TensorInfo,
  accumulation: TensorInfo,
  gradient: TensorInfo,
  newAcc: TensorInfo,
  newValue: TensorInfo,
  absSums: TensorInfo,
  n: number,
  attrs: SgdMomentumAttrs,
): void {
  const l1 = attrs.l1 ?? 0;
  const decay = attrs.decay ?? 0;
  const call: SgdMomentumRegCall = [
    heapOffset(be, value), heapOffset(be, accumulation), heapOffset(be, gradient), heapOffset(be, newAcc), heapOffset(be, newValue),
    n, f32Bits(-attrs.learningRate), f32Bits(attrs.momentum), f32Bits(l1), f32Bits(decay), heapOffset(be, absSums),
  ];
  const gemm = ownGemmInstalledFor(backend) ? ownGemm() : null;
  if (gemm?.sgdMomentumReg) {
    gemm.sgdMomentumReg(...call);
    return;
  }
  const fn = standaloneBackendFunction<SgdMomentumReg>(backend, SGD_MOMENTUM_REG_EXPORT, sgdMomentumRegFn);
  if (fn !== null) {
    fn(...call);
    return;
  }
  const view = (t: TensorInfo): Float32Array => be.typedArrayFromHeap(t) as Float32Array;
  const [v, a, g, oa, ov, sums] = [view(value), view(accumulation), view(gradient), view(newAcc), view(newValue), view(absSums)];
  const m = Math.fround(attrs.momentum);
  const lr = Math.fround(-attrs.learningRate);
  const l1f = Math.fround(l1);
  const df = Math.fround(decay);
  // sum |v| first (the step may overwrite v in place), in the generated pass's order
  const lanes = [0, 0, 0, 0];
  const body = n - (n % 4);
  for (let i = 0; i < body; i++) lanes[i % 4] = Math.fround(lanes[i % 4]! + Math.abs(v[i]!));
  let total = Math.fround(Math.fround(Math.fround(lanes[0]! + lanes[1]!) + lanes[2]!) + lanes[3]!);
  for (let i = body; i < n; i++) total = Math.fround(total + Math.abs(v[i]!));
  for (let i = 0; i < n; i++) {
    const w = v[i]!;
    const s = w > 0 ? l1f : w < 0 ? -l1f : 0;
    const gr = Math.fround(Math.fround(g[i]! + s) + Math.fround(w * df));
    const na = Math.fround(Math.fround(a[i]! * m) + gr);
    oa[i] = na;
    ov[i] = Math.fround(na * lr) + w;
  }
  sums[0] = total;
}
