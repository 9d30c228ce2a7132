import { Fn, I32, V128, type Local } from './wasm-encoder';

/** Output tile side `m` of Winograd F(m x m, 3 x 3): 2 or 4. */
export type WinogradTileSize = 2 | 4;

/** The transform matrices `B^T`, `G` and `A^T` of one F(m x m, 3 x 3). */
export interface WinogradMatrices {
  BT: readonly (readonly number[])[];
  G: readonly (readonly number[])[];
  AT: readonly (readonly number[])[];
}

/**
 * Winograd's minimal filtering F(m x m, 3 x 3) (Lavin & Gray, "Fast Algorithms for Convolutional
 * Neural Networks", CVPR 2016, sections 4.1-4.2): an `m x m` output tile of a 3x3 correlation is
 *
 *   Y = A^T [ (G g G^T) (.) (B^T d B) ] A
 *
 * for the `(m + 2)^2` input tile `d` and the 3x3 filter `g`, `(.)` the elementwise product:
 * `(m + 2)^2` multiplications instead of `9 m^2` (F(2x2): 16 vs 36; F(4x4): 36 vs 144, with the
 * interpolation points 0, +-1, +-2, infinity). Summed over input channels, the elementwise
 * product becomes `(m + 2)^2` independent GEMMs, one per position `xi` of the transformed tile.
 */
export const WINOGRAD_MATRICES: Record<WinogradTileSize, WinogradMatrices> = {
  2: {
    BT: [
      [1, 0, -1, 0],
      [0, 1, 1, 0],
      [0, -1, 1, 0],
      [0, 1, 0, -1],
    ],
    G: [
      [1, 0, 0],
      [0.5, 0.5, 0.5],
      [0.5, -0.5, 0.5],
      [0, 0, 1],
    ],
    AT: [
      [1, 1, 1, 0],
      [0, 1, -1, -1],
    ],
  },
  4: {
    BT: [
      [4, 0, -5, 0, 1, 0],
      [0, -4, -4, 1, 1, 0],
      [0, 4, -4, -1, 1, 0],
      [0, -2, -1, 2, 1, 0],
      [0, 2, -1, -2, 1, 0],
      [0, 4, 0, -5, 0, 1],
    ],
    G: [
      [1 / 4, 0, 0],
      [-1 / 6, -1 / 6, -1 / 6],
      [-1 / 6, 1 / 6, -1 / 6],
      [1 / 24, 1 / 12, 1 / 6],
      [1 / 24, -1 / 12, 1 / 6],
      [0, 0, 1],
    ],
    AT: [
      [1, 1, 1, 1, 1, 0],
      [0, 1, -1, 2, -2, 0],
      [0, 1, 1, 4, 4, 0],
      [0, 1, -1, 8, -8, 1],
    ],
  },
};

const transpose = (m: readonly (readonly number[])[]): number[][] => m[0]!.map((_, j) => m.map((row) => row[j]!));

/** Export names of the tile transforms, per tile size (threaded jobs pass the index into this list). */
export const WINOGRAD_TILE_EXPORTS = ['wgInput2', 'wgDy2', 'wgOutput2', 'wgInput4', 'wgDy4', 'wgOutput4'] as const;
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
/**
 * `src, count, dst, stride`: a filter transform of `count` (a multiple of 4) consecutive `(ci, co)`
 * pairs, taps / positions `stride` bytes apart (`4 Ci Co` for a whole filter); see {@link filterTransformFn}.
 */
export type WinogradFilterCall = [number, number, number, number];
/** Signature of a filter transform export. */
export type WinogradFilter = (...args: WinogradFilterCall) => void;

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

/** The tile size and kind of a tile transform export name. */
export function parseTileExport(name: WinogradTileExport): { kind: 'input' | 'dy' | 'output'; m: WinogradTileSize } {
  const m = Number(name.slice(-1)) as WinogradTileSize;
  const kind = name.startsWith('wgInput') ? 'input' : name.startsWith('wgDy') ? 'dy' : 'output';
  return { kind, m };
}

/**
 * Generates a tile transform `name(src, nb, h, w, c, th, tw, dst, ms, pad)` of F(m x m, 3 x 3)
 * (`m` the name's last digit, `P = (m + 2)^2` positions) over `nb` images of `th x tw` tiles each,
 * tile `t = (b th + ty) tw + tx` (row-major over the images):
 *
 * - `wgInput<m>`: `V[xi][t, :] = (B^T d B)[xi]`, `d` the `(m + 2)^2` window of image `src` at rows
 *   `m ty - 1 ..`, columns `m tx - 1 ..` (zeros outside: the 'same' padding of a 3x3
 *   convolution); `dst` holds the `P` matrices `[tiles, c]`, `ms` bytes apart.
 * - `wgDy<m>`: the adjoint of the output transform, for the filter gradient: `(A g A^T)[xi]` for
 *   the `m x m` window `g` of `src` (`dy`) at `m ty, m tx` (zeros outside), into `P` matrices.
 * - `wgOutput<m>`: `Y = A^T M A` from the `P` matrices at `src` (`ms` apart) into the `m x m`
 *   window of image `dst` at `m ty, m tx`; positions outside the image are written to `pad`.
 *
 * Channels go 4 at a time (SIMD128), so `c` must be a multiple of 4. Per tile the image
 * addresses are chosen once (`select` between the pixel and `pad`), so the channel loop has no
 * bounds checks.
 */
export function tileTransformFn(name: WinogradTileExport): Fn {
  const f = new Fn(name, new Array<typeof I32>(10).fill(I32));
  const [src, nb, h, w, c, th, tw, dst, ms, pad] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const { kind, m } = parseTileExport(name);
  const { BT, AT } = WINOGRAD_MATRICES[m];
  const readsImage = kind !== 'output';
  const size = kind === 'input' ? m + 2 : m; // image window side
  const offset = kind === 'input' ? -1 : 0;
  const L = kind === 'input' ? BT : kind === 'dy' ? transpose(AT) : AT;
  const consts = constants(f, L);
  const I = (): Local => f.local(I32);
  const [b, ty, tx, d, c4, rowBytes, imgBytes, tileBase, p, v, img] = [I(), I(), I(), I(), I(), I(), I(), I(), I(), I(), I()];
  const rowOk = Array.from({ length: size }, I);
  const rowBase = Array.from({ length: size }, I);
  const colOk = Array.from({ length: size }, I);
  const colOff = Array.from({ length: size }, I);
  const addr = grid(f, size, size, I32);
  const inDim = readsImage ? size : m + 2;
  const input = grid(f, inDim, inDim, V128);
  const tmp = grid(f, inDim, L.length, V128);
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
        // iy = m ty + offset + r; rowOk = 0 <= iy < h; rowBase = img + iy * rowBytes
        f.get(ty).i32(m).mul().i32(offset + r).add().set(v);
        f.get(v).i32(0).geS().get(v).get(h).ltS().and().set(rowOk[r]!);
        f.get(img).get(v).get(rowBytes).mul().add().set(rowBase[r]!);
      }
      f.forRange(tx, tw, () => {
        for (let q = 0; q < size; q++) {
          f.get(tx).i32(m).mul().i32(offset + q).add().set(v);
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
        f.get(tileBase).get(d).add().set(p);
        if (readsImage) {
          for (let r = 0; r < size; r++) for (let q = 0; q < size; q++) f.get(addr[r]![q]!).get(d).add().v128Load().set(input[r]![q]!);
        } else {
          for (let xi = 0; xi < inDim * inDim; xi++) {
            if (xi > 0) f.get(p).get(ms).add().set(p);
            f.get(p).v128Load().set(input[Math.floor(xi / inDim)]![xi % inDim]!);
          }
        }
        emitTransform(f, L, L, input, tmp, consts, (i, j, value) => {
          if (readsImage) {
            if (i > 0 || j > 0) f.get(p).get(ms).add().set(p);
            f.get(p);
          } else {
            f.get(addr[i]![j]!).get(d).add();
          }
          value();
          f.v128Store();
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

/** Export names of the filter transforms: forward, of the flipped filter (input gradients), adjoint. */
export const WINOGRAD_FILTER_EXPORTS = ['wgFilter2', 'wgFilterFlip2', 'wgFilterGrad2', 'wgFilter4', 'wgFilterFlip4', 'wgFilterGrad4'] as const;
/** One of {@link WINOGRAD_FILTER_EXPORTS}. */
export type WinogradFilterExport = (typeof WINOGRAD_FILTER_EXPORTS)[number];

/**
 * Generates a filter transform of F(m x m, 3 x 3) (`m` the name's last digit, `P = (m + 2)^2`):
 *
 * - `wgFilter<m>(src, count, dst, stride)`: `U[xi] = (G g G^T)[xi]` (9 taps in, `P` positions out);
 * - `wgFilterFlip<m>`: the same of `rot180(g)` (tap `(r, q)` read from `(2 - r, 2 - q)`), for the
 *   input gradient (whose GEMMs read each `[Ci, Co]` matrix transposed);
 * - `wgFilterGrad<m>`: the adjoint `dW = G^T dU G` (`P` in, 9 taps out).
 *
 * Both sides are `[taps or positions][Ci Co]`, `stride` bytes apart (the `[3, 3, Ci, Co]` filter
 * layout, `[P][Ci][Co]` for `U`); `count` (a multiple of 4) consecutive pairs from `src` / `dst`
 * are transformed, 4 at a time, so threads can take ranges of one filter.
 */
export function filterTransformFn(name: WinogradFilterExport): Fn {
  const f = new Fn(name, [I32, I32, I32, I32]);
  const [src, count, dst, stride] = [0, 1, 2, 3];
  const m = Number(name.slice(-1)) as WinogradTileSize;
  const grad = name.startsWith('wgFilterGrad');
  const flip = name.startsWith('wgFilterFlip');
  const { G } = WINOGRAD_MATRICES[m];
  const M = grad ? transpose(G) : G;
  const inDim = grad ? m + 2 : 3;
  const consts = constants(f, M);
  const [e, end] = [f.local(I32), f.local(I32)];
  const input = grid(f, inDim, inDim, V128);
  const tmp = grid(f, inDim, M.length, V128);
  f.get(count).i32(4).mul().set(end);
  f.i32(0).set(e);
  f.block().loop();
  f.get(e).get(end).geS().brIf(1);
  for (let r = 0; r < inDim; r++) {
    for (let q = 0; q < inDim; q++) {
      const tap = flip ? (2 - r) * 3 + (2 - q) : r * inDim + q;
      f.get(src).get(e).add().i32(tap).get(stride).mul().add().v128Load().set(input[r]![q]!);
    }
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
  return [...WINOGRAD_TILE_EXPORTS.map((n) => tileTransformFn(n)), ...WINOGRAD_FILTER_EXPORTS.map((n) => filterTransformFn(n))];
}
