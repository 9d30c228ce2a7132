import { Fn, I32, V128, type Local } from './wasm-encoder';

/** Largest output channel count (`nv = ceil(Co / 4)` v128 accumulators per pixel, `nv <= 8`). */
export const DIRECT_CONV_MAX_CO = 32;

/**
 * `[pixels, unroll]` per `nv = ceil(Co / 4)` (index `nv - 1`): output pixels per inner iteration
 * and steps per loop trip, for `f32x4.mul` + `f32x4.add` (`simd128`) and `f32x4.relaxed_madd`.
 * Picked by a one-thread sweep (`P` 1-8, unroll 1-2, geometric mean over `[16,64,64,3]`,
 * `[16,32,32,10]`, `[16,16,16,24]` 3x3 'same', GFLOP/s simd128 / relaxed): nv 1 P6-7 26.7 / 28.9,
 * nv 2 P3-4 33.2 / 40.4, nv 3 P2 28.5 / P3 38.5 (P3 simd128 23, P4 22), nv 4 P2 31.2 / 41.9
 * (P1 24 / 26), nv 5-7 P1 24-27 / 30-35 (P2 20-24), nv 8 P2 U2 12.1 / P1 18.4. Past these the
 * `P nv` accumulators, held operands and the products' temporaries exceed V8's usable xmm
 * registers and spill (a cliff, not a slope); unroll 2 never helped.
 */
export const DIRECT_CONV_BLOCKING: Readonly<Record<'simd128' | 'relaxed', readonly (readonly [number, number])[]>> = {
  simd128: [[6, 1], [3, 1], [2, 1], [2, 1], [1, 1], [1, 1], [1, 1], [2, 2]],
  relaxed: [[7, 1], [4, 1], [3, 1], [2, 1], [1, 1], [1, 1], [1, 1], [1, 1]],
};

/** The export name of the `nv` variant in the GEMM module: `directConv<nv>`. */
export const directConvName = (nv: number): string => `directConv${nv}`;

/**
 * Widest variant in the GEMM module: wider outputs run in passes of at most 4 vectors (the wider
 * register blocks spill, see {@link DIRECT_CONV_BLOCKING}).
 */
export const DIRECT_CONV_PASS_MAX_NV = 4;

/** The `nv` in [1, {@link DIRECT_CONV_PASS_MAX_NV}] variants with their {@link DIRECT_CONV_BLOCKING} (appended to the GEMM module). */
export function allDirectConvFns(relaxed: boolean): Fn[] {
  return Array.from({ length: DIRECT_CONV_PASS_MAX_NV }, (_, i) => directConvVariant(i + 1, relaxed));
}

/** The `nv` variant with its {@link DIRECT_CONV_BLOCKING}, exported as `name`. */
export function directConvVariant(nv: number, relaxed: boolean, name = directConvName(nv)): Fn {
  const [pixels, unroll] = DIRECT_CONV_BLOCKING[relaxed ? 'relaxed' : 'simd128'][nv - 1] ?? [1, 1];
  return directConvFn(nv, pixels, relaxed, name, unroll);
}

/**
 * Arguments of a `directConv<nv>` export (all i32, pointers in bytes): `x, wp, out, nb, h, w, ci,
 * ho, wo, co, kh, kw, pt, pl, relu, ldo`.
 */
export type DirectConvCall = [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];

/** Signature of the generated export (see {@link directConvFn}). */
export type DirectConv = (...args: DirectConvCall) => void;

/**
 * Generates `directConv<nv>(x, wp, out, nb, h, w, ci, ho, wo, co, kh, kw, pt, pl, relu, ldo)`, the
 * stride-1 NHWC float32 convolution of `nb` images into `co <= 4 nv` output channels:
 *
 *   out[b, y, x, o] = act((sum_{i < kh, j < kw, c < ci} in[b, y + i - pt, x + j - pl, c] * W[i, j, c, o]) + bias[o])
 *
 * (`in` of `[nb, h, w, ci]` at `x`, `out` of `[nb, ho, wo, *]` with `ldo >= co` floats per pixel, so a
 * pass may write channels `[o0, o0 + co)` of a wider output from `out + 4 o0`; `act` = `max(., 0)` when `relu`
 * is 1, taps outside `in` contribute nothing). `wp` holds the packed filter `[kh, kw, ci, 4 nv]`
 * (output channels zero-padded to whole vectors) followed by the bias `[4 nv]`. No im2col: for an
 * output row, the taps `i` whose input row lies inside `in` are `[max(0, pt - y), min(kh, h + pt - y))`;
 * for the interior columns `x` in `[pl, w + pl - kw]` (every `j` inside), `pixels` consecutive
 * outputs are computed at once, their `pixels nv` v128 accumulators in locals: per tap row the
 * `kw ci` inputs of each pixel are one contiguous run of `in`, as are the matching filter rows, so
 * one loop of `kw ci` steps does, per step, `nv` filter loads, `pixels` splats and `pixels nv`
 * multiply-adds. Border and leftover columns go one pixel at a time with their own `j` range. The
 * last vector of a pixel is stored lane by lane when `co % 4 != 0`, so nothing past a pixel's
 * `co` floats is written (images are split over threads: no write may cross into another's).
 *
 * `unroll` (1-8): steps per loop trip (the rest one at a time); `holdFilter`: keep the `nv` filter
 * vectors of a step in locals across the pixels (else the `pixels` splats across the vectors).
 */
export function directConvFn(nv: number, pixels: number, relaxed: boolean, name = directConvName(nv), unroll = 1, holdFilter = nv <= pixels): Fn {
  if (!Number.isInteger(nv) || nv < 1 || nv > DIRECT_CONV_MAX_CO / 4) throw new Error(`directConv: nv must be an integer in [1, ${DIRECT_CONV_MAX_CO / 4}]; got ${nv}`);
  if (!Number.isInteger(pixels) || pixels < 1 || pixels > 8) throw new Error(`directConv: pixels must be an integer in [1, 8]; got ${pixels}`);
  if (!Number.isInteger(unroll) || unroll < 1 || unroll > 8) throw new Error(`directConv: unroll must be an integer in [1, 8]; got ${unroll}`);
  const P = pixels;
  const f = new Fn(name, new Array<typeof I32>(16).fill(I32));
  const [x, wp, out, nb, h, w, ci, ho, wo, co, kh, kw, pt, pl, relu, ldo] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
  const L = (): Local => f.local(I32);
  const [b, oy, ox, ky, ky0, ky1, kx0, kx1, xa, xb, cnt, run, wq, csi, cso, xImg, oRow, tapBytes, biasAt, op, rem, t] = Array.from({ length: 22 }, L) as Local[] as [
    Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local,
  ];
  const xp: Local[] = Array.from({ length: P }, L);
  const acc: Local[][] = Array.from({ length: P }, () => Array.from({ length: nv }, () => f.local(V128)));
  const held: Local[] = Array.from({ length: Math.max(nv, P) }, () => f.local(V128));
  const one = f.local(V128);
  /** acc += a * b (locals). */
  const madd = (a: Local, bv: Local, accL: Local): void => {
    if (relaxed) f.get(a).get(bv).get(accL).f32x4RelaxedMadd().set(accL);
    else f.get(accL).get(a).get(bv).f32x4Mul().f32x4Add().set(accL);
  };
  const max0 = (dst: Local): void => void f.get(dst).i32(0).get(dst).i32(0).gtS().select().set(dst);
  const minTo = (dst: Local, lim: Local): void => void f.get(dst).get(lim).get(dst).get(lim).ltS().select().set(dst);

  /**
   * The multiply-add loop over `cnt` steps for `np` pixels (pointers `xp[0..np)`, filter `wq`):
   * holds the `nv` filter vectors when `nv <= np`, else the `np` splats.
   */
  const steps = (np: number): void => {
    for (const u of unroll > 1 ? [unroll, 1] : [1]) {
      f.block().loop();
      f.get(cnt).i32(u).ltS().brIf(1);
      for (let k = 0; k < u; k++) {
        const wo_ = k * nv * 16;
        if (holdFilter || np === 1 && nv === 1) {
          for (let v = 0; v < nv; v++) f.get(wq).v128Load(wo_ + v * 16).set(held[v]!);
          for (let p = 0; p < np; p++) {
            f.get(xp[p]!).v128Load32Splat(k * 4).set(one);
            for (let v = 0; v < nv; v++) madd(one, held[v]!, acc[p]![v]!);
          }
        } else {
          for (let p = 0; p < np; p++) f.get(xp[p]!).v128Load32Splat(k * 4).set(held[p]!);
          for (let v = 0; v < nv; v++) {
            f.get(wq).v128Load(wo_ + v * 16).set(one);
            for (let p = 0; p < np; p++) madd(held[p]!, one, acc[p]![v]!);
          }
        }
      }
      for (let p = 0; p < np; p++) f.inc(xp[p]!, 4 * u);
      f.inc(wq, u * nv * 16).inc(cnt, -u).br(0);
      f.end().end();
    }
  };

  /**
   * Accumulators of `np` pixels = 0; after `body`, `+ bias` (added last, so that a fused bias gives
   * the same bits as the convolution followed by a separate add), relu, and store pixel p at
   * `op + p cso`.
   */
  const pixelBlock = (np: number, body: () => void): void => {
    for (let v = 0; v < nv; v++) for (let p = 0; p < np; p++) f.v128Zero().set(acc[p]![v]!);
    body();
    for (let v = 0; v < nv; v++) {
      f.get(biasAt).v128Load(v * 16).set(one);
      for (let p = 0; p < np; p++) f.get(acc[p]![v]!).get(one).f32x4Add().set(acc[p]![v]!);
    }
    f.get(relu).if_();
    f.v128Zero().set(one);
    for (let p = 0; p < np; p++) for (let v = 0; v < nv; v++) f.get(acc[p]![v]!).get(one).op(0xfd, 0xe9, 0x01).set(acc[p]![v]!); // f32x4.max
    f.end();
    f.get(oRow).get(ox).get(cso).mul().add().set(op);
    for (let p = 0; p < np; p++) {
      if (p > 0) f.inc(op, cso, true);
      for (let v = 0; v + 1 < nv; v++) f.get(op).get(acc[p]![v]!).v128Store(v * 16);
      const last = acc[p]![nv - 1]!;
      const at = (nv - 1) * 16;
      f.get(rem).i32(4).eq().if_();
      f.get(op).get(last).v128Store(at);
      f.else_();
      f.get(op).get(last);
      f.simd(0x1f, 0); // f32x4.extract_lane 0
      f.f32Store(at);
      for (let lane = 1; lane < 3; lane++) {
        f.get(rem).i32(lane).gtS().if_();
        f.get(op).get(last);
        f.simd(0x1f, lane);
        f.f32Store(at + lane * 4);
        f.end();
      }
      f.end();
    }
  };

  f.get(ci).i32(4).mul().set(csi);
  f.get(ldo).i32(4).mul().set(cso);
  f.get(co).i32(4 * (nv - 1)).sub().set(rem);
  f.get(kw).get(ci).mul().i32(nv * 16).mul().set(tapBytes); // filter bytes per tap row
  f.get(wp).get(kh).get(tapBytes).mul().add().set(biasAt);
  // interior columns [xa, xb): every tap column inside the input
  f.get(pl).set(xa);
  max0(xa);
  minTo(xa, wo);
  f.get(w).get(pl).add().get(kw).sub().i32(1).add().set(xb);
  minTo(xb, wo);
  f.get(xb).get(xa).get(xb).get(xa).gtS().select().set(xb);
  f.forRange(b, nb, () => {
    f.get(x).get(b).get(h).mul().get(w).mul().get(csi).mul().add().set(xImg);
    f.forRange(oy, ho, () => {
      f.get(out).get(b).get(ho).mul().get(oy).add().get(wo).mul().get(cso).mul().add().set(oRow);
      f.get(pt).get(oy).sub().set(ky0);
      max0(ky0);
      f.get(h).get(pt).add().get(oy).sub().set(ky1);
      minTo(ky1, kh);

      /** One output pixel at column `ox`, with its own tap-column range. */
      const single = (): void => {
        f.get(pl).get(ox).sub().set(kx0);
        max0(kx0);
        f.get(w).get(pl).add().get(ox).sub().set(kx1);
        minTo(kx1, kw);
        f.get(kx1).get(kx0).sub().get(ci).mul().set(run);
        pixelBlock(1, () => {
          f.get(ky0).set(ky);
          f.block().loop();
          f.get(ky).get(ky1).geS().brIf(1);
          // xp0 = xImg + ((oy + ky - pt) * w + ox - pl + kx0) * csi; wq = wp + ky tapBytes + kx0 ci nv 16
          f.get(xImg).get(oy).get(ky).add().get(pt).sub().get(w).mul().get(ox).add().get(pl).sub().get(kx0).add().get(csi).mul().add().set(xp[0]!);
          f.get(wp).get(ky).get(tapBytes).mul().add().get(kx0).get(ci).mul().i32(nv * 16).mul().add().set(wq);
          f.get(run).set(cnt);
          steps(1);
          f.inc(ky, 1).br(0);
          f.end().end();
        });
      };
      const singlesTo = (end: Local): void => {
        f.block().loop();
        f.get(ox).get(end).geS().brIf(1);
        single();
        f.inc(ox, 1).br(0);
        f.end().end();
      };

      f.i32(0).set(ox);
      singlesTo(xa);
      if (P > 1) {
        f.get(kw).get(ci).mul().set(run);
        f.block().loop();
        f.get(ox).i32(P).add().get(xb).gtS().brIf(1);
        pixelBlock(P, () => {
          f.get(ky0).set(ky);
          f.block().loop();
          f.get(ky).get(ky1).geS().brIf(1);
          f.get(xImg).get(oy).get(ky).add().get(pt).sub().get(w).mul().get(ox).add().get(pl).sub().get(csi).mul().add().set(xp[0]!);
          for (let p = 1; p < P; p++) f.get(xp[p - 1]!).get(csi).add().set(xp[p]!);
          f.get(wp).get(ky).get(tapBytes).mul().add().set(wq);
          f.get(run).set(cnt);
          steps(P);
          f.inc(ky, 1).br(0);
          f.end().end();
        });
        f.inc(ox, P).br(0);
        f.end().end();
      }
      f.get(wo).set(t);
      singlesTo(t);
    });
  });
  return f;
}
