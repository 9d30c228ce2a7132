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
