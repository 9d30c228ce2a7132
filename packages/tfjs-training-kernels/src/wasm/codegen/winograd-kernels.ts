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
 * Arguments of a tile transform export (all i32): `src, nb, h, w, c, th, tw, dst, ms, pad, ts, cs`:
 * `cs` the image's channels (floats per pixel), at most `c`; the transformed side has `c`
 * channels, those past `cs` zero (reading transforms only: for `wgOutput` `cs` must be `c`);
 * `nb` NHWC images of `h x w x c` (`c` a multiple of 4) tiled into `th x tw` tiles per image;
 * the transformed side holds, for tile `t` and position `xi`, a run of `c` floats at
 * `t * ts + xi * ms` bytes (`ms = 4 c`, `ts = 4 c P`: one contiguous `[P, c]` block per tile,
 * which is what the convolutions use; `ms = 4 c tiles`, `ts = 4 c`: `P` separate `[tiles, c]`
 * matrices); `pad` a buffer of at least `c` floats read in place of positions outside the image
 * (zeros) or written in their place (scratch). Byte offsets; see {@link tileTransformFn}.
 */
export type WinogradTileCall = [number, number, number, number, number, number, number, number, number, number, number, number];
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

/**
 * Pushes `sum_k coefs[k] * x[k]` (f32x4) with one multiply per distinct coefficient magnitude:
 * terms are grouped by `|coef|`, each group summed with adds / subs (a group with a positive term
 * starts with it), scaled once, and the groups combined (negated once at the end when every term
 * is negative).
 */
function emitLinear(f: Fn, coefs: readonly number[], xs: readonly Local[], consts: Consts): void {
  const groups = new Map<number, { pos: Local[]; neg: Local[] }>();
  coefs.forEach((coef, k) => {
    if (coef === 0) return;
    const mag = Math.abs(coef);
    const g = groups.get(mag) ?? { pos: [], neg: [] };
    (coef > 0 ? g.pos : g.neg).push(xs[k]!);
    groups.set(mag, g);
  });
  if (groups.size === 0) {
    f.v128Zero();
    return;
  }
  const list = [...groups].map(([mag, g]) => ({ mag, g, positive: g.pos.length > 0 }));
  list.sort((a, b) => Number(b.positive) - Number(a.positive));
  const allNegative = !list[0]!.positive;
  list.forEach(({ mag, g, positive }, idx) => {
    // positive group: pos[0] + pos[1..] - neg[..]; all-negative group: the sum of its terms, negated by the caller
    const [head, ...tail] = positive ? g.pos : g.neg;
    f.get(head!);
    for (const x of tail) f.get(x).f32x4Add();
    if (positive) for (const x of g.neg) f.get(x).f32x4Sub();
    if (mag !== 1) f.get(consts.get(mag)!).f32x4Mul();
    if (idx > 0) {
      if (allNegative || positive) f.f32x4Add();
      else f.f32x4Sub();
    }
  });
  if (allNegative) f.f32x4Neg();
}

/**
 * The rows of `M` as singles and pairs `(a, b)` with `|M[a][k]| = |M[b][k]|` for every `k` (the
 * symmetric interpolation points of Winograd's matrices): `M[a] = P + Q`, `M[b] = P - Q` with `P`
 * the terms of equal sign and `Q` those of opposite sign, so both rows cost one evaluation of `P`
 * and `Q` and two adds.
 */
type RowPlan = { row: number } | { a: number; b: number; P: number[]; Q: number[] };

function planRows(M: readonly (readonly number[])[]): RowPlan[] {
  const used = new Set<number>();
  const plan: RowPlan[] = [];
  const terms = (row: readonly number[]): number => row.filter((c) => c !== 0).length;
  for (let a = 0; a < M.length; a++) {
    if (used.has(a)) continue;
    used.add(a);
    const b = M.findIndex((row, j) => j > a && !used.has(j) && terms(row) >= 2 && row.every((c, k) => Math.abs(c) === Math.abs(M[a]![k]!)));
    if (b < 0 || terms(M[a]!) < 2) {
      plan.push({ row: a });
      continue;
    }
    used.add(b);
    const P = M[a]!.map((c, k) => (c === M[b]![k] ? c : 0));
    const Q = M[a]!.map((c, k) => (c !== M[b]![k] ? c : 0));
    plan.push({ a, b, P, Q });
  }
  return plan;
}

/** Sets `out[i] = sum_k M[i][k] xs[k]` for every row, evaluating paired rows once (see {@link planRows}). */
function emitRows(f: Fn, M: readonly (readonly number[])[], plan: readonly RowPlan[], xs: readonly Local[], out: readonly Local[], consts: Consts, scratch: readonly [Local, Local]): void {
  const [tp, tq] = scratch;
  for (const item of plan) {
    if ('row' in item) {
      emitLinear(f, M[item.row]!, xs, consts);
      f.set(out[item.row]!);
      continue;
    }
    const hasQ = item.Q.some((c) => c !== 0);
    const hasP = item.P.some((c) => c !== 0);
    if (!hasQ) {
      emitLinear(f, item.P, xs, consts);
      f.tee(out[item.a]!).set(out[item.b]!);
    } else if (!hasP) {
      emitLinear(f, item.Q, xs, consts);
      f.tee(out[item.a]!).f32x4Neg().set(out[item.b]!);
    } else {
      emitLinear(f, item.P, xs, consts);
      f.set(tp);
      emitLinear(f, item.Q, xs, consts);
      f.set(tq);
      f.get(tp).get(tq).f32x4Add().set(out[item.a]!);
      f.get(tp).get(tq).f32x4Sub().set(out[item.b]!);
    }
  }
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
 * out-cols x in-cols): first `e[r][j] = sum_q R[j][q] in[r][q]` into `tmp`, then
 * `out[i][j] = sum_r L[i][r] e[r][j]` into `result`, both with paired rows (see
 * {@link planRows}); then `store(i, j, value)` for each `(i, j)` in row-major order, where `value()`
 * pushes `out[i][j]` (so that `store` can push an address first).
 */
function emitTransform(f: Fn, L: readonly (readonly number[])[], R: readonly (readonly number[])[], input: Local[][], tmp: Local[][], result: Local[][], consts: Consts, scratch: readonly [Local, Local], store: (i: number, j: number, value: () => void) => void): void {
  const planR = planRows(R);
  const planL = planRows(L);
  for (let r = 0; r < input.length; r++) emitRows(f, R, planR, input[r]!, tmp[r]!, consts, scratch);
  for (let j = 0; j < R.length; j++) {
    emitRows(f, L, planL, tmp.map((row) => row[j]!), result.map((row) => row[j]!), consts, scratch);
  }
  for (let i = 0; i < L.length; i++) {
    for (let j = 0; j < R.length; j++) store(i, j, () => void f.get(result[i]![j]!));
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
 * Generates a tile transform `name(src, nb, h, w, c, th, tw, dst, ms, pad, ts)` of F(m x m, 3 x 3)
 * (`m` the name's last digit, `P = (m + 2)^2` positions) over `nb` images of `th x tw` tiles each,
 * tile `t = (b th + ty) tw + tx` (row-major over the images):
 *
 * - `wgInput<m>`: `V[xi][t, :] = (B^T d B)[xi]`, `d` the `(m + 2)^2` window of image `src` at rows
 *   `m ty - 1 ..`, columns `m tx - 1 ..` (zeros outside: the 'same' padding of a 3x3
 *   convolution), into the transformed side at `dst` (tile `t`, position `xi` at `t ts + xi ms`).
 * - `wgDy<m>`: the adjoint of the output transform, for the filter gradient: `(A g A^T)[xi]` for
 *   the `m x m` window `g` of `src` (`dy`) at `m ty, m tx` (zeros outside), into `P` matrices.
 * - `wgOutput<m>`: `Y = A^T M A` from the transformed side at `src` into the `m x m`
 *   window of image `dst` at `m ty, m tx`; positions outside the image are written to `pad`.
 *
 * Channels go 4 at a time (SIMD128), so `c` must be a multiple of 4. Per tile the image
 * addresses are chosen once (`select` between the pixel and `pad`), so the channel loop has no
 * bounds checks.
 */
export function tileTransformFn(name: WinogradTileExport): Fn {
  const f = new Fn(name, new Array<typeof I32>(12).fill(I32));
  const [src, nb, h, w, c, th, tw, dst, ms, pad, ts, cs] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const { kind, m } = parseTileExport(name);
  const { BT, AT } = WINOGRAD_MATRICES[m];
  const readsImage = kind !== 'output';
  const size = kind === 'input' ? m + 2 : m; // image window side
  const offset = kind === 'input' ? -1 : 0;
  const L = kind === 'input' ? BT : kind === 'dy' ? transpose(AT) : AT;
  const consts = constants(f, L);
  const I = (): Local => f.local(I32);
  const [b, ty, tx, d, c4, rowBytes, imgBytes, tileBase, p, v, img, px4, tailAt] = [I(), I(), I(), I(), I(), I(), I(), I(), I(), I(), I(), I(), I()];
  const [partial, mask] = [f.local(V128), f.local(V128)];
  const rowOk = Array.from({ length: size }, I);
  const rowBase = Array.from({ length: size }, I);
  const colOk = Array.from({ length: size }, I);
  const colOff = Array.from({ length: size }, I);
  const addr = grid(f, size, size, I32);
  const inDim = readsImage ? size : m + 2;
  const input = grid(f, inDim, inDim, V128);
  const tmp = grid(f, inDim, L.length, V128);
  const result = grid(f, L.length, L.length, V128);
  const scratch = [f.local(V128), f.local(V128)] as const;
  const image = readsImage ? src : dst;
  const matrices = readsImage ? dst : src;

  f.get(c).i32(4).mul().set(c4);
  f.get(cs).i32(4).mul().set(px4);
  f.get(w).get(px4).mul().set(rowBytes);
  f.get(h).get(rowBytes).mul().set(imgBytes);
  // channel groups from byte tailAt on hold lanes past cs: the first keeps cs % 4 lanes, later none
  f.get(cs).i32(-4).and().i32(4).mul().set(tailAt);
  f.op(0xfd, 0x0c, ...[0, 1, 2, 3].flatMap((k) => [k, 0, 0, 0])); // v128.const i32x4 0 1 2 3
  f.get(cs).i32(3).and().op(0xfd, 0x11); // i32x4.splat
  f.op(0xfd, 0x39); // i32x4.lt_s: lane < cs % 4
  f.set(partial);
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
          f.get(v).get(px4).mul().set(colOff[q]!);
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
          // lanes past the image's channels (the next pixel's, or past the tensor) become zero
          f.get(d).get(tailAt).geS().if_();
          f.v128Zero().set(mask);
          f.get(d).get(tailAt).eq().if_();
          f.get(partial).set(mask);
          f.end();
          for (let r = 0; r < size; r++) for (let q = 0; q < size; q++) f.get(input[r]![q]!).get(mask).op(0xfd, 0x4e).set(input[r]![q]!); // v128.and
          f.end();
        } else {
          for (let xi = 0; xi < inDim * inDim; xi++) {
            if (xi > 0) f.get(p).get(ms).add().set(p);
            f.get(p).v128Load().set(input[Math.floor(xi / inDim)]![xi % inDim]!);
          }
        }
        emitTransform(f, L, L, input, tmp, result, consts, scratch, (i, j, value) => {
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
        f.get(tileBase).get(ts).add().set(tileBase);
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
  const result = grid(f, M.length, M.length, V128);
  const scratch = [f.local(V128), f.local(V128)] as const;
  // the first element of every tap / position, computed once
  const from = grid(f, inDim, inDim, I32);
  const to = grid(f, M.length, M.length, I32);
  for (let r = 0; r < inDim; r++) {
    for (let q = 0; q < inDim; q++) {
      const tap = flip ? (2 - r) * 3 + (2 - q) : r * inDim + q;
      f.get(src).i32(tap).get(stride).mul().add().set(from[r]![q]!);
    }
  }
  for (let i = 0; i < M.length; i++) for (let j = 0; j < M.length; j++) f.get(dst).i32(i * M.length + j).get(stride).mul().add().set(to[i]![j]!);
  f.get(count).i32(4).mul().set(end);
  f.i32(0).set(e);
  f.block().loop();
  f.get(e).get(end).geS().brIf(1);
  for (let r = 0; r < inDim; r++) for (let q = 0; q < inDim; q++) f.get(from[r]![q]!).get(e).add().v128Load().set(input[r]![q]!);
  emitTransform(f, M, M, input, tmp, result, consts, scratch, (i, j, value) => {
    f.get(to[i]![j]!).get(e).add();
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
