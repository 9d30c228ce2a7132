import { F32, Fn, I32, V128, type Local } from './wasm-encoder';

/**
 * Export names of the generated elementwise kernels (threaded jobs pass the index into this list):
 *
 * - `chanAdd`, `chanSub`, `chanRsub`, `chanMul` `(a, v, out, rows, c)`: a per-channel vector `v`
 *   (`c` floats) broadcast over the rows of `a` (`[rows, c]`): `out[r, j] = a[r, j] + v[j]`,
 *   `a[r, j] - v[j]`, `v[j] - a[r, j]`, `a[r, j] * v[j]`;
 * - `chanNorm` `(x, m, k, o, y, rows, c)`: `y[r, j] = (x[r, j] - m[j]) * k[j] + o[j]` (batch
 *   normalisation with `k = scale * rsqrt(variance + eps)` computed by the caller);
 * - `relu`, `square`, `floor` `(x, y, n)`: `y[i] = max(x[i], 0)` (`f32x4.max`: NaN stays NaN and
 *   -0 becomes +0, as in tfjs' cpu kernel), `y[i] = x[i] * x[i]` and `y[i] = floor(x[i])`
 *   (`f32x4.floor` / `f32.floor`: IEEE rounding toward -Infinity, as `Math.floor`: -0, NaN and the
 *   infinities stay);
 * - `reluGrad` `(dy, x, out, n)`: the relu gradient `dy * step(x)` in one pass, with tfjs'
 *   `Step` (`NaN` for NaN, `x > 0 ? 1 : 0`): `out = x > 0 ? dy : dy * (isNaN(x) ? NaN : 0)`,
 *   bit for bit (`dy * 1` is `dy`; `dy * 0` keeps the sign of zero and turns infinities into NaN);
 * - `poolSpread` `(dy, dx, rows, wo, c, kh, kw, scaleBits)`: the average-pooling gradient of
 *   windows that tile the input (window = stride, no padding): each of the `rows` rows of `dy`
 *   (`[wo, c]`) becomes `kh` rows of `dx` (`[wo kw, c]`), every input pixel of a window getting
 *   `dy * scale` (`scaleBits` the float32 bits of `1 / (kh kw)`); any `c` (a scalar tail).
 *
 * Every argument is an i32 (byte offsets; `rows`, `c`, `n` counts); the channel kernels need `c`
 * to be a multiple of 4, the unary ones take any `n` (a scalar tail). Vectors need no alignment.
 * Outputs may alias their first input (each element is read before it is written).
 */
export const CHANNEL_EXPORTS = ['chanAdd', 'chanSub', 'chanRsub', 'chanMul', 'chanNorm', 'relu', 'square', 'reluGrad', 'poolSpread', 'floor'] as const;
/** One of {@link CHANNEL_EXPORTS}. */
export type ChannelExport = (typeof CHANNEL_EXPORTS)[number];
/** The arguments of a channel export, padded with zeros to 8 (see {@link CHANNEL_EXPORTS}). */
export type ChannelCall = [number, number, number, number, number, number, number, number];
/** Signature of a channel export. */
export type ChannelKernel = (...args: ChannelCall) => void;

/** Whether an export is a unary map `(x, y, n)` (split by element ranges, not rows). */
export const isUnary = (name: ChannelExport): name is UnaryExport => name === 'relu' || name === 'square' || name === 'floor';
/** The unary maps of {@link CHANNEL_EXPORTS}. */
export type UnaryExport = 'relu' | 'square' | 'floor';
/** Whether an export is an elementwise map of two inputs `(a, b, out, n)` (split by element ranges). */
export const isBinaryMap = (name: ChannelExport): boolean => name === 'reluGrad';

const SIMD = {
  add: 0xe4,
  sub: 0xe5,
  mul: 0xe6,
  max: 0xe9,
  floor: 0x68,
  gt: 0x44,
  ne: 0x42,
  bitselect: 0x52,
} as const;

/**
 * The loop both channel kernels share: for each of `rows` rows of `c` floats (the input row at
 * `inRow`, the output row at `outRow`, both advancing by `4 c` bytes), `body(inRow, outRow, j)` for
 * every byte offset `j` of a vector in the row; the per-channel vectors are read at `+ j` too.
 */
function perRowVectors(f: Fn, input: Local, output: Local, rows: Local, c: Local, body: (inRow: Local, outRow: Local, j: Local) => void): void {
  const [r, j, rowBytes, inRow, outRow] = [f.local(I32), f.local(I32), f.local(I32), f.local(I32), f.local(I32)];
  f.get(c).i32(4).mul().set(rowBytes);
  f.get(input).set(inRow);
  f.get(output).set(outRow);
  f.forRange(r, rows, () => {
    f.i32(0).set(j);
    f.stepLoop(j, rowBytes, 16, () => body(inRow, outRow, j));
    f.inc(inRow, rowBytes, true).inc(outRow, rowBytes, true);
  });
}

function channelBinaryFn(name: 'chanAdd' | 'chanSub' | 'chanRsub' | 'chanMul'): Fn {
  const f = new Fn(name, new Array<typeof I32>(8).fill(I32));
  const [a, v, out, rows, c] = [0, 1, 2, 3, 4];
  const op = name === 'chanAdd' ? SIMD.add : name === 'chanMul' ? SIMD.mul : SIMD.sub;
  perRowVectors(f, a, out, rows, c, (aRow, oRow, j) => {
    f.get(oRow).get(j).add();
    if (name === 'chanRsub') f.get(v).get(j).add().v128Load().get(aRow).get(j).add().v128Load();
    else f.get(aRow).get(j).add().v128Load().get(v).get(j).add().v128Load();
    f.simd(op);
    f.v128Store();
  });
  return f;
}

function channelNormFn(): Fn {
  const f = new Fn('chanNorm', new Array<typeof I32>(8).fill(I32));
  const [x, m, k, o, y, rows, c] = [0, 1, 2, 3, 4, 5, 6];
  perRowVectors(f, x, y, rows, c, (xRow, yRow, j) => {
    f.get(yRow).get(j).add();
    f.get(xRow).get(j).add().v128Load().get(m).get(j).add().v128Load().f32x4Sub();
    f.get(k).get(j).add().v128Load().f32x4Mul();
    f.get(o).get(j).add().v128Load().f32x4Add();
    f.v128Store();
  });
  return f;
}

function unaryFn(name: UnaryExport): Fn {
  const f = new Fn(name, new Array<typeof I32>(8).fill(I32));
  const [x, y, n] = [0, 1, 2];
  const [i, end] = [f.local(I32), f.local(I32)];
  const zero = f.local(V128);
  const t = f.local(V128);
  const s = f.local(F32);
  f.v128Zero().set(zero);
  // vectors while 4 remain: end = (n & ~3) * 4 bytes
  f.get(n).i32(-4).and().i32(4).mul().set(end);
  f.i32(0).set(i);
  f.stepLoop(i, end, 16, () => {
    f.get(y).get(i).add();
    if (name === 'relu') {
      f.get(x).get(i).add().v128Load().get(zero);
      f.simd(SIMD.max);
    } else if (name === 'floor') {
      f.get(x).get(i).add().v128Load();
      f.simd(SIMD.floor);
    } else {
      f.get(x).get(i).add().v128Load().tee(t).get(t).f32x4Mul();
    }
    f.v128Store();
  });
  f.get(n).i32(4).mul().set(end);
  f.stepLoop(i, end, 4, () => {
    f.get(y).get(i).add();
    f.get(x).get(i).add().f32Load().set(s);
    if (name === 'relu') {
      f.get(s).f32(0).op(0x97 /* f32.max */);
    } else if (name === 'floor') {
      f.get(s).op(0x8e /* f32.floor */);
    } else {
      f.get(s).get(s).f32Mul();
    }
    f.f32Store();
  });
  return f;
}

function reluGradFn(): Fn {
  const f = new Fn('reluGrad', new Array<typeof I32>(8).fill(I32));
  const [dy, x, out, n] = [0, 1, 2, 3];
  const [i, end] = [f.local(I32), f.local(I32)];
  const [zero, nan, xv, g] = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  const [xs, gs] = [f.local(F32), f.local(F32)];
  f.v128Zero().set(zero);
  f.f32(Number.NaN).f32x4Splat().set(nan);
  f.get(n).i32(-4).and().i32(4).mul().set(end);
  f.i32(0).set(i);
  f.stepLoop(i, end, 16, () => {
    f.get(out).get(i).add();
    f.get(x).get(i).add().v128Load().set(xv);
    f.get(dy).get(i).add().v128Load().tee(g);
    // dy * (isNaN(x) ? NaN : 0)
    f.get(g).get(nan).get(zero).get(xv).get(xv);
    f.simd(SIMD.ne);
    f.simd(SIMD.bitselect);
    f.f32x4Mul();
    // x > 0 ? dy : that
    f.get(xv).get(zero);
    f.simd(SIMD.gt);
    f.simd(SIMD.bitselect);
    f.v128Store();
  });
  f.get(n).i32(4).mul().set(end);
  f.stepLoop(i, end, 4, () => {
    f.get(out).get(i).add();
    f.get(x).get(i).add().f32Load().set(xs);
    f.get(dy).get(i).add().f32Load().tee(gs);
    // dy * (x != x ? NaN : 0), or dy where x > 0 (select: first operand when the condition holds)
    f.get(gs).f32(Number.NaN).f32(0).get(xs).get(xs).op(0x5c /* f32.ne */).select().f32Mul();
    f.get(xs).f32(0).op(0x5e /* f32.gt */).select();
    f.f32Store();
  });
  return f;
}

function poolSpreadFn(): Fn {
  const f = new Fn('poolSpread', new Array<typeof I32>(8).fill(I32));
  const [dy, dx, rows, wo, c, kh, kw, scaleBits] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [r, xo, k, j, a, c4, vecEnd, rowIn, rowOut, src, dst, q] = Array.from({ length: 12 }, () => f.local(I32)) as Local[];
  const scale = f.local(V128);
  const s = f.local(F32);
  f.get(scaleBits).f32ReinterpretI32().tee(s).f32x4Splat().set(scale);
  f.get(c).i32(4).mul().set(c4!);
  f.get(c4!).i32(-16).and().set(vecEnd!);
  f.get(wo).get(c4!).mul().set(rowIn!);
  f.get(rowIn!).get(kw).mul().set(rowOut!);
  f.get(dy).set(src!);
  f.get(dx).set(dst!);
  f.forRange(r!, rows, () => {
    f.get(dst!).set(q!);
    f.forRange(xo!, wo, () => {
      f.forRange(k!, kw, () => {
        f.i32(0).set(j!);
        f.stepLoop(j!, vecEnd!, 16, () => {
          f.get(q!).get(j!).add().get(src!).get(j!).add().v128Load().get(scale).f32x4Mul().v128Store();
        });
        f.stepLoop(j!, c4!, 4, () => {
          f.get(q!).get(j!).add().get(src!).get(j!).add().f32Load().get(s).f32Mul().f32Store();
        });
        f.inc(q!, c4!, true);
      });
      f.inc(src!, c4!, true);
    });
    // rows 1 .. kh-1 of the window: copies of row 0 (memory.copy dst, src, len)
    f.i32(1).set(a!);
    f.stepLoop(a!, kh, 1, () => {
      f.get(dst!).get(a!).get(rowOut!).mul().add().get(dst!).get(rowOut!).op(0xfc, 10, 0, 0);
    });
    f.get(dst!).get(rowOut!).get(kh).mul().add().set(dst!);
  });
  return f;
}

/** Generates one export of {@link CHANNEL_EXPORTS}. */
export function channelKernelFn(name: ChannelExport): Fn {
  if (name === 'poolSpread') return poolSpreadFn();
  if (name === 'reluGrad') return reluGradFn();
  if (name === 'chanNorm') return channelNormFn();
  if (isUnary(name)) return unaryFn(name);
  return channelBinaryFn(name);
}

/** All the channel kernels of the GEMM module. */
export function channelKernelFns(): Fn[] {
  return CHANNEL_EXPORTS.map(channelKernelFn);
}
