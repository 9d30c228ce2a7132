import { Fn, I32, V128, type Local } from './wasm-encoder';

/**
 * Winograd's minimal filtering F(2x2, 3x3) (Lavin & Gray, "Fast Algorithms for Convolutional
 * Neural Networks", CVPR 2016, section 4.1): a 2x2 output tile of a 3x3 correlation is
 *
 *   Y = A^T [ (G g G^T) (.) (B^T d B) ] A
 *
 * for the 4x4 input tile `d` and the 3x3 filter `g`, `(.)` the elementwise product, with the
 * matrices below (16 multiplications instead of 36). Summed over input channels, the
 * elementwise product becomes 16 independent GEMMs, one per position `xi` of the 4x4 transformed
 * tile.
 */
export const WINOGRAD_BT: readonly (readonly number[])[] = [
  [1, 0, -1, 0],
  [0, 1, 1, 0],
  [0, -1, 1, 0],
  [0, 1, 0, -1],
];
/** `G` (4x3) of F(2x2, 3x3); see {@link WINOGRAD_BT}. */
export const WINOGRAD_G: readonly (readonly number[])[] = [
  [1, 0, 0],
  [0.5, 0.5, 0.5],
  [0.5, -0.5, 0.5],
  [0, 0, 1],
];
/** `A^T` (2x4) of F(2x2, 3x3); see {@link WINOGRAD_BT}. */
export const WINOGRAD_AT: readonly (readonly number[])[] = [
  [1, 1, 1, 0],
  [0, 1, -1, -1],
];

const transpose = (m: readonly (readonly number[])[]): number[][] => m[0]!.map((_, j) => m.map((row) => row[j]!));

/** Export names of the tile transforms (threaded jobs pass the index into this list). */
export const WINOGRAD_TILE_EXPORTS = ['wgInput', 'wgDy', 'wgOutput'] as const;
/** One of {@link WINOGRAD_TILE_EXPORTS}. */
export type WinogradTileExport = (typeof WINOGRAD_TILE_EXPORTS)[number];

/**
 * Arguments of a tile transform export (all i32): `src, nb, h, w, c, th, tw, dst, ms, pad`:
 * `nb` NHWC images of `h x w x c` (`c` a multiple of 4) tiled into `th x tw` tiles per image;
 * `ms` the byte stride between the 16 (or 4 x 4 source) per-position matrices, each `[tiles, c]`
 * row-major; `pad` a buffer of at least `c` floats read in place of positions outside the image
 * (zeros) or written in their place (scratch). Byte offsets; see {@link tileTransformFn}.
 */
export type WinogradTileCall = [number, number, number, number, number, number, number, number, number, number];
/** Signature of a tile transform export. */
export type WinogradTile = (...args: WinogradTileCall) => void;
/** `src, n, dst`: a filter transform over `n` (a multiple of 4) `(ci, co)` pairs; see {@link filterTransformFn}. */
export type WinogradFilter = (src: number, n: number, dst: number) => void;

/** Per-position constants for {@link emitLinear}: a v128 local holding `splat(|coef|)` per distinct `|coef| != 1`. */
type Consts = Map<number, Local>;

/** Pushes `sum_k coefs[k] * x[k]` (f32x4), using adds / subs for `+-1` and one multiply per other coefficient. */
function emitLinear(f: Fn, coefs: readonly number[], xs: readonly Local[], consts: Consts): void {
  let first = true;
  coefs.forEach((coef, k) => {
    if (coef === 0) return;
    f.get(xs[k]!);
    const mag = Math.abs(coef);
    if (mag !== 1) f.get(consts.get(mag)!).f32x4Mul();
    if (first) {
      if (coef < 0) f.f32x4Neg();
      first = false;
    } else if (coef > 0) {
      f.f32x4Add();
    } else {
      f.f32x4Sub();
    }
  });
  if (first) f.v128Zero();
}

/** Declares the constant locals of `mats` and sets them at the function start. */
function constants(f: Fn, ...mats: (readonly (readonly number[])[])[]): Consts {
  const consts: Consts = new Map();
  for (const m of mats) {
    for (const c of m.flat()) {
      const mag = Math.abs(c);
      if (mag === 0 || mag === 1 || consts.has(mag)) continue;
      const l = f.local(V128);
      f.f32(mag).f32x4Splat().set(l);
      consts.set(mag, l);
    }
  }
  return consts;
}

/**
 * Emits `out = L in R^T` for a tile of v128 locals `input[r][q]` (`L`: out-rows x in-rows, `R`:
 * out-cols x in-cols): first `e[r][j] = sum_q R[j][q] in[r][q]` into `tmp`, then for each
 * `(i, j)` in row-major order `store(i, j, value)`, where `value()` pushes
 * `out[i][j] = sum_r L[i][r] e[r][j]` (so that `store` can push an address first).
 */
function emitTransform(f: Fn, L: readonly (readonly number[])[], R: readonly (readonly number[])[], input: Local[][], tmp: Local[][], consts: Consts, store: (i: number, j: number, value: () => void) => void): void {
  for (let r = 0; r < input.length; r++) {
    for (let j = 0; j < R.length; j++) {
      emitLinear(f, R[j]!, input[r]!, consts);
      f.set(tmp[r]![j]!);
    }
  }
  for (let i = 0; i < L.length; i++) {
    for (let j = 0; j < R.length; j++) {
      const column = tmp.map((row) => row[j]!);
      store(i, j, () => emitLinear(f, L[i]!, column, consts));
    }
  }
}

const grid = (f: Fn, rows: number, cols: number, t: typeof I32 | typeof V128): Local[][] =>
  Array.from({ length: rows }, () => Array.from({ length: cols }, () => f.local(t)));

/**
 * Generates a tile transform `name(src, nb, h, w, c, th, tw, dst, ms, pad)` over `nb` images of
 * `th x tw` tiles each, tile `t = (b th + ty) tw + tx` (row-major over the images):
 *
 * - `'wgInput'`: `V[xi][t, :] = (B^T d B)[xi]`, `d` the 4x4 window of image `src` at rows
 *   `2 ty - 1 ..`, columns `2 tx - 1 ..` (zeros outside: the 'same' padding of a 3x3 convolution);
 *   `dst` holds the 16 matrices `[tiles, c]`, `ms` bytes apart.
 * - `'wgDy'`: the adjoint of the output transform for the filter gradient, `(A g A^T)[xi]` for the
 *   2x2 window `g` of `src` (`dy`) at `2 ty, 2 tx` (zeros outside), into 16 matrices as above.
 * - `'wgOutput'`: `Y = A^T M A` from the 16 matrices at `src` (`ms` apart) into the 2x2 window of
 *   image `dst` at `2 ty, 2 tx`; positions outside the image are written to `pad` instead.
 *
 * Channels go 4 at a time (SIMD128), so `c` must be a multiple of 4. Per tile the 16 (or 4) image
 * addresses are chosen once (`select` between the pixel and `pad`), so the channel loop has no
 * bounds checks.
 */
export function tileTransformFn(name: WinogradTileExport): Fn {
  const f = new Fn(name, new Array<typeof I32>(10).fill(I32));
  const [src, nb, h, w, c, th, tw, dst, ms, pad] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const readsImage = name !== 'wgOutput';
  const size = name === 'wgInput' ? 4 : 2; // image window side
  const offset = name === 'wgInput' ? -1 : 0;
  const [L, R] = name === 'wgInput' ? [WINOGRAD_BT, WINOGRAD_BT] : name === 'wgDy' ? [transpose(WINOGRAD_AT), transpose(WINOGRAD_AT)] : [WINOGRAD_AT, WINOGRAD_AT];
  const consts = constants(f, L, R);
  const I = (): Local => f.local(I32);
  const [b, ty, tx, d, c4, rowBytes, imgBytes, tileBase, p, v, img] = [I(), I(), I(), I(), I(), I(), I(), I(), I(), I(), I()];
  const rowOk = Array.from({ length: size }, I);
  const rowBase = Array.from({ length: size }, I);
  const colOk = Array.from({ length: size }, I);
  const colOff = Array.from({ length: size }, I);
  const addr = grid(f, size, size, I32);
  const inDim = readsImage ? size : 4;
  const input = grid(f, inDim, inDim, V128);
  const tmp = grid(f, inDim, R.length, V128);
  const image = readsImage ? src : dst;
  const matrices = readsImage ? dst : src;

  f.get(c).i32(4).mul().set(c4);
  f.get(w).get(c4).mul().set(rowBytes);
  f.get(h).get(rowBytes).mul().set(imgBytes);
  f.get(matrices).set(tileBase);
  f.get(image).set(img);
  f.forRange(b, nb, () => {
    f.forRange(ty, th, () => {
      for (let r = 0; r < size; r++) {
        // iy = 2 ty + offset + r; rowOk = 0 <= iy < h; rowBase = img + iy * rowBytes
        f.get(ty).i32(2).mul().i32(offset + r).add().set(v);
        f.get(v).i32(0).geS().get(v).get(h).ltS().and().set(rowOk[r]!);
        f.get(img).get(v).get(rowBytes).mul().add().set(rowBase[r]!);
      }
      f.forRange(tx, tw, () => {
        for (let q = 0; q < size; q++) {
          f.get(tx).i32(2).mul().i32(offset + q).add().set(v);
          f.get(v).i32(0).geS().get(v).get(w).ltS().and().set(colOk[q]!);
          f.get(v).get(c4).mul().set(colOff[q]!);
        }
        for (let r = 0; r < size; r++) {
          for (let q = 0; q < size; q++) {
            f.get(rowBase[r]!).get(colOff[q]!).add().get(pad).get(rowOk[r]!).get(colOk[q]!).and().select().set(addr[r]![q]!);
          }
        }
        f.i32(0).set(d);
        f.block().loop();
        f.get(d).get(c4).geS().brIf(1);
        if (readsImage) {
          for (let r = 0; r < size; r++) for (let q = 0; q < size; q++) f.get(addr[r]![q]!).get(d).add().v128Load().set(input[r]![q]!);
        } else {
          f.get(tileBase).get(d).add().set(p);
          for (let xi = 0; xi < 16; xi++) {
            if (xi > 0) f.get(p).get(ms).add().set(p);
            f.get(p).v128Load().set(input[xi >> 2]![xi & 3]!);
          }
        }
        if (readsImage) f.get(tileBase).get(d).add().set(p);
        emitTransform(f, L, R, input, tmp, consts, (i, j, value) => {
          if (readsImage) {
            if (i > 0 || j > 0) f.get(p).get(ms).add().set(p);
            f.get(p);
            value();
            f.v128Store();
          } else {
            f.get(addr[i]![j]!).get(d).add();
            value();
            f.v128Store();
          }
        });
        f.inc(d, 16).br(0);
        f.end().end();
        f.get(tileBase).get(c4).add().set(tileBase);
      });
    });
    f.get(img).get(imgBytes).add().set(img);
  });
  return f;
}

/** Export names of the filter transforms. */
export const WINOGRAD_FILTER_EXPORT = 'wgFilter';
export const WINOGRAD_FILTER_GRAD_EXPORT = 'wgFilterGrad';

/**
 * Generates `wgFilter(src, n, dst)` (`U[xi] = (G g G^T)[xi]`: 9 taps in, 16 positions out) or,
 * with `grad`, `wgFilterGrad(src, n, dst)` (its adjoint `dW = G^T dU G`: 16 in, 9 out). Both
 * sides are `[positions][n]` with `n = Ci Co` floats per position (the `[kh, kw, Ci, Co]` filter
 * layout, and `[16][Ci][Co]` for `U`), `n` a multiple of 4, processed 4 at a time.
 */
export function filterTransformFn(grad: boolean): Fn {
  const f = new Fn(grad ? WINOGRAD_FILTER_GRAD_EXPORT : WINOGRAD_FILTER_EXPORT, [I32, I32, I32]);
  const [src, n, dst] = [0, 1, 2];
  const M = grad ? transpose(WINOGRAD_G) : WINOGRAD_G;
  const inDim = grad ? 4 : 3;
  const consts = constants(f, M);
  const [e, end, stride] = [f.local(I32), f.local(I32), f.local(I32)];
  const input = grid(f, inDim, inDim, V128);
  const tmp = grid(f, inDim, M.length, V128);
  f.get(n).i32(4).mul().tee(end).set(stride);
  f.i32(0).set(e);
  f.block().loop();
  f.get(e).get(end).geS().brIf(1);
  for (let r = 0; r < inDim; r++) {
    for (let q = 0; q < inDim; q++) f.get(src).get(e).add().i32(r * inDim + q).get(stride).mul().add().v128Load().set(input[r]![q]!);
  }
  emitTransform(f, M, M, input, tmp, consts, (i, j, value) => {
    f.get(dst).get(e).add().i32(i * M.length + j).get(stride).mul().add();
    value();
    f.v128Store();
  });
  f.inc(e, 16).br(0);
  f.end().end();
  return f;
}

/** All the Winograd functions of the GEMM module. */
export function winogradFns(): Fn[] {
  return [...WINOGRAD_TILE_EXPORTS.map((n) => tileTransformFn(n)), filterTransformFn(false), filterTransformFn(true)];
}
