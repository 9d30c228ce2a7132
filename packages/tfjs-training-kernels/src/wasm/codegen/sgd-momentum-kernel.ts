import { F32, Fn, I32, V128 } from './wasm-encoder';

/** Export name of the generated momentum step. */
export const SGD_MOMENTUM_EXPORT = 'sgdMomentum';

/**
 * Arguments of the generated `sgdMomentum` export: `value, accumulation, gradient, outAccumulation,
 * outValue` (byte offsets), `n` (floats), and the bit patterns of `-learningRate` and `momentum`
 * as float32 (see {@link f32Bits}), so that every argument is an i32 (the threaded split passes
 * them through an Int32 control block).
 */
export type SgdMomentumCall = [number, number, number, number, number, number, number, number];

/** The int32 bit pattern of `x` rounded to float32. */
export function f32Bits(x: number): number {
  const f = new Float32Array([x]);
  return new Int32Array(f.buffer)[0]!;
}

/**
 * Generates `sgdMomentum(v, a, g, oa, ov, n, negLrBits, mBits)`, one pass of tfjs'
 * `MomentumOptimizer` step (without Nesterov) over `n` floats, in tfjs' operation order with a
 * float32 rounding after each operation (a multiply then an add, never a fused multiply-add):
 *
 *   oa[i] = a[i] * m + g[i]
 *   ov[i] = oa[i] * (-lr) + v[i]
 *
 * Vectors of 4 (`f32x4.mul`, `f32x4.add`) while at least 4 remain, then scalar `f32.mul` /
 * `f32.add` for the last `n % 4`. The outputs may alias their own inputs (`oa = a`, `ov = v`):
 * each element is read before it is written. Pointers need no alignment.
 */
export function sgdMomentumFn(name: string = SGD_MOMENTUM_EXPORT): Fn {
  const f = new Fn(name, new Array<typeof I32>(8).fill(I32));
  const [v, a, g, oa, ov, n, lrBits, mBits] = [0, 1, 2, 3, 4, 5, 6, 7];
  const i = f.local(I32);
  const end = f.local(I32);
  const lr = f.local(F32);
  const m = f.local(F32);
  const lr4 = f.local(V128);
  const m4 = f.local(V128);
  const na4 = f.local(V128);
  const na = f.local(F32);

  f.get(lrBits).f32ReinterpretI32().tee(lr).f32x4Splat().set(lr4);
  f.get(mBits).f32ReinterpretI32().tee(m).f32x4Splat().set(m4);
  // end = (n & ~3) * 4 bytes; i counts bytes
  f.get(n).i32(-4).and().i32(4).mul().set(end);
  f.i32(0).set(i);
  f.stepLoop(i, end, 16, () => {
    f.get(a).get(i).add().v128Load().get(m4).f32x4Mul().get(g).get(i).add().v128Load().f32x4Add().set(na4);
    f.get(oa).get(i).add().get(na4).v128Store();
    f.get(ov).get(i).add().get(na4).get(lr4).f32x4Mul().get(v).get(i).add().v128Load().f32x4Add().v128Store();
  });
  // scalar tail: end = n * 4
  f.get(n).i32(4).mul().set(end);
  f.stepLoop(i, end, 4, () => {
    f.get(a).get(i).add().f32Load().get(m).f32Mul().get(g).get(i).add().f32Load().f32Add().set(na);
    f.get(oa).get(i).add().get(na).f32Store();
    f.get(ov).get(i).add().get(na).get(lr).f32Mul().get(v).get(i).add().f32Load().f32Add().f32Store();
  });
  return f;
}

/** Signature of the generated export (see {@link sgdMomentumFn}). */
export type SgdMomentum = (...args: SgdMomentumCall) => void;

/** Export name of the generated momentum step with the L1 and coupled-decay terms folded in. */
export const SGD_MOMENTUM_REG_EXPORT = 'sgdMomentumReg';

/**
 * Arguments of the generated `sgdMomentumReg` export: the eight of {@link SgdMomentumCall}, then
 * the float32 bit patterns of `l1` and `decay`, then the byte offset of one float32 that receives
 * `sum_i |v[i]|` over the `n` floats (read before the step).
 */
export type SgdMomentumRegCall = [number, number, number, number, number, number, number, number, number, number, number];

/** Signature of the generated export (see {@link sgdMomentumRegFn}). */
export type SgdMomentumReg = (...args: SgdMomentumRegCall) => void;

// SIMD and scalar opcodes the shared encoder has no named helper for (WebAssembly SIMD spec, 128-bit).
const F32X4_LT = 0x43;
const F32X4_GT = 0x44;
const V128_AND = 0x4e;
const V128_OR = 0x50;
const F32X4_ABS = 0xe0;
const F32X4_EXTRACT_LANE = 0x1f;
const F32_ABS = 0x8b;
const F32_LT = 0x5d;
const F32_GT = 0x5e;

/**
 * Generates `sgdMomentumReg(v, a, g, oa, ov, n, negLrBits, mBits, l1Bits, decayBits, sumOut)`:
 * the momentum step of {@link sgdMomentumFn} on the gradient with the L1 subgradient and the
 * coupled (PyTorch `weight_decay`) decay added, one pass over `n` floats:
 *
 *   s      = l1 * sign(v[i])          (exactly 0 at v[i] = 0, -l1 below, +l1 above)
 *   gr     = (g[i] + s) + decay * v[i]
 *   oa[i]  = a[i] * m + gr
 *   ov[i]  = oa[i] * (-lr) + v[i]
 *   *sumOut = sum_i |v[i]|            (of the values before the step)
 *
 * with a float32 rounding after each operation in that order, which is the order of the autograd
 * path (`dataGrad + d(l1 * sumAbs)/dw`, then `addCoupledWeightDecay`'s `g + decay * w`). The sum
 * accumulates in four float32 lanes (lane j holds the elements with index = j mod 4 below
 * `n & ~3`), then lanes 0 + 1 + 2 + 3 + the scalar tail. Outputs may alias their inputs as in
 * {@link sgdMomentumFn}.
 */
export function sgdMomentumRegFn(name: string = SGD_MOMENTUM_REG_EXPORT): Fn {
  const f = new Fn(name, new Array<typeof I32>(11).fill(I32));
  const [v, a, g, oa, ov, n, lrBits, mBits, l1Bits, decayBits, sumOut] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const i = f.local(I32);
  const end = f.local(I32);
  const lr = f.local(F32);
  const m = f.local(F32);
  const l1 = f.local(F32);
  const decay = f.local(F32);
  const lr4 = f.local(V128);
  const m4 = f.local(V128);
  const l14 = f.local(V128);
  const negL14 = f.local(V128);
  const decay4 = f.local(V128);
  const zero4 = f.local(V128);
  const w4 = f.local(V128);
  const gr4 = f.local(V128);
  const na4 = f.local(V128);
  const sum4 = f.local(V128);
  const w = f.local(F32);
  const gr = f.local(F32);
  const na = f.local(F32);
  const sum = f.local(F32);

  f.get(lrBits).f32ReinterpretI32().tee(lr).f32x4Splat().set(lr4);
  f.get(mBits).f32ReinterpretI32().tee(m).f32x4Splat().set(m4);
  f.get(l1Bits).f32ReinterpretI32().tee(l1).f32x4Splat().tee(l14).f32x4Neg().set(negL14);
  f.get(decayBits).f32ReinterpretI32().tee(decay).f32x4Splat().set(decay4);
  f.v128Zero().tee(zero4).set(sum4);
  f.get(n).i32(-4).and().i32(4).mul().set(end);
  f.i32(0).set(i);
  f.stepLoop(i, end, 16, () => {
    f.get(v).get(i).add().v128Load().set(w4);
    // sign term: (w > 0 ? l1 : 0) | (w < 0 ? -l1 : 0), lane masks of the comparisons
    f.get(g).get(i).add().v128Load();
    f.get(w4).get(zero4);
    f.simd(F32X4_GT).get(l14);
    f.simd(V128_AND).get(w4).get(zero4);
    f.simd(F32X4_LT).get(negL14);
    f.simd(V128_AND);
    f.simd(V128_OR).f32x4Add();
    f.get(w4).get(decay4).f32x4Mul().f32x4Add().set(gr4);
    f.get(a).get(i).add().v128Load().get(m4).f32x4Mul().get(gr4).f32x4Add().set(na4);
    f.get(oa).get(i).add().get(na4).v128Store();
    f.get(ov).get(i).add().get(na4).get(lr4).f32x4Mul().get(w4).f32x4Add().v128Store();
    f.get(sum4).get(w4);
    f.simd(F32X4_ABS).f32x4Add().set(sum4);
  });
  f.get(sum4);
  f.simd(F32X4_EXTRACT_LANE, 0).get(sum4);
  f.simd(F32X4_EXTRACT_LANE, 1).f32Add().get(sum4);
  f.simd(F32X4_EXTRACT_LANE, 2).f32Add().get(sum4);
  f.simd(F32X4_EXTRACT_LANE, 3).f32Add().set(sum);
  f.get(n).i32(4).mul().set(end);
  f.stepLoop(i, end, 4, () => {
    f.get(v).get(i).add().f32Load().set(w);
    // select(l1, select(-l1, 0, w < 0), w > 0)
    f.get(g).get(i).add().f32Load();
    f.get(l1).get(l1).f32(-1).f32Mul().f32(0).get(w).f32(0).op(F32_LT).select().get(w).f32(0).op(F32_GT).select();
    f.f32Add().get(w).get(decay).f32Mul().f32Add().set(gr);
    f.get(a).get(i).add().f32Load().get(m).f32Mul().get(gr).f32Add().set(na);
    f.get(oa).get(i).add().get(na).f32Store();
    f.get(ov).get(i).add().get(na).get(lr).f32Mul().get(w).f32Add().f32Store();
    f.get(sum).get(w).op(F32_ABS).f32Add().set(sum);
  });
  f.get(sumOut).get(sum).f32Store();
  return f;
}
