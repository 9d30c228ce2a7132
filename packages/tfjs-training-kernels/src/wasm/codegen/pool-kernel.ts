import { F32, Fn, I32, V128, type Local } from './wasm-encoder';

/** Export name of the generated pooling kernel. */
export const POOL_EXPORT = 'pool2d';

/**
 * Arguments of the generated `pool2d` export (all i32): `x, y` (byte offsets), `nb, h, w, c, ho,
 * wo, kh, kw, sh, sw, max` (`max` 1: max pooling, 0: average pooling).
 */
export type PoolCall = [number, number, number, number, number, number, number, number, number, number, number, number, number];

/** Signature of the generated export (see {@link poolFn}). */
export type Pool = (...args: PoolCall) => void;

/**
 * Generates `pool2d(x, y, nb, h, w, c, ho, wo, kh, kw, sh, sw, max)`: NHWC float32 pooling of `nb`
 * images over windows that lie inside the image (no padding: window `(oy, ox)` covers rows
 * `oy sh ..< oy sh + kh`, columns `ox sw ..< ox sw + kw`), row-major over the window:
 *
 *   max: y = the running maximum from -Infinity, replaced only by a strictly greater value
 *        (`f32x4.pmax`), the cpu backend's rule: NaN never wins (an all-NaN window gives
 *        -Infinity), ties keep the first (-0 and 0 keep whichever came first)
 *   avg: y = (sum of the window in float32 from 0, row-major) / (kh kw)
 *
 * Channels 4 at a time (SIMD128), the last `c % 4` one at a time with the same rule. Images are
 * independent, so callers split `nb` over threads.
 */
export function poolFn(name: string = POOL_EXPORT): Fn {
  const f = new Fn(name, new Array<typeof I32>(13).fill(I32));
  const [x, y, nb, h, w, c, ho, wo, kh, kw, sh, sw, max] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const L = (): Local => f.local(I32);
  const [b, oy, ox, ky, kx, d, c4, vecEnd, rowBytes, img, win, q, out] = Array.from({ length: 13 }, L) as Local[] as [
    Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local];
  const acc = f.local(V128);
  const count = f.local(V128);
  const s = f.local(F32);
  const sc = f.local(F32);
  const PMAX = 0xeb;
  const DIV = 0xe7;

  f.get(c).i32(4).mul().set(c4);
  f.get(c4).i32(-16).and().set(vecEnd);
  f.get(w).get(c4).mul().set(rowBytes);
  f.get(kh).get(kw).mul().f32ConvertI32S().tee(sc).f32x4Splat().set(count);
  f.get(x).set(img);
  f.get(y).set(out);
  /** Visits the window's positions: `body()` with `q` = the position's byte address + d. */
  const rest = (body: () => void): void => {
    f.forRange(ky, kh, () => {
      f.forRange(kx, kw, () => {
        f.get(win).get(ky).get(rowBytes).mul().add().get(kx).get(c4).mul().add().get(d).add().set(q);
        body();
      });
    });
  };
  f.forRange(b, nb, () => {
    f.forRange(oy, ho, () => {
      f.forRange(ox, wo, () => {
        // win = img + (oy sh row + ox sw) pixel
        f.get(img).get(oy).get(sh).mul().get(rowBytes).mul().add().get(ox).get(sw).mul().get(c4).mul().add().set(win);
        f.i32(0).set(d);
        f.block().loop();
        f.get(d).get(vecEnd).geS().brIf(1);
        f.get(max).if_();
        f.f32(Number.NEGATIVE_INFINITY).f32x4Splat().set(acc);
        rest(() => {
          f.get(acc).get(q).v128Load();
          f.simd(PMAX);
          f.set(acc);
        });
        f.else_();
        f.v128Zero().set(acc);
        rest(() => {
          f.get(acc).get(q).v128Load().f32x4Add().set(acc);
        });
        f.get(acc).get(count);
        f.simd(DIV);
        f.set(acc);
        f.end();
        f.get(out).get(d).add().get(acc).v128Store();
        f.inc(d, 16).br(0);
        f.end().end();
        // scalar tail
        f.block().loop();
        f.get(d).get(c4).geS().brIf(1);
        f.get(max).if_();
        f.f32(Number.NEGATIVE_INFINITY).set(s);
        rest(() => {
          // s = s < v ? v : s  (pmax's rule)
          f.get(q).f32Load().get(s).get(s).get(q).f32Load().op(0x5d /* f32.lt */).select().set(s);
        });
        f.else_();
        f.f32(0).set(s);
        rest(() => {
          f.get(s).get(q).f32Load().f32Add().set(s);
        });
        f.get(s).get(sc).op(0x95 /* f32.div */).set(s);
        f.end();
        f.get(out).get(d).add().get(s).f32Store();
        f.inc(d, 4).br(0);
        f.end().end();
        f.inc(out, c4, true);
      });
    });
    f.get(img).get(h).get(rowBytes).mul().add().set(img);
  });
  return f;
}
