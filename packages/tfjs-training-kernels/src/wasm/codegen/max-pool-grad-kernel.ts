import { F32, Fn, I32, V128, type Local } from './wasm-encoder';

/** Export name of the generated max-pool gradient. */
export const MAX_POOL_GRAD_EXPORT = 'maxPoolGrad';

/**
 * Arguments of the generated `maxPoolGrad` export (all i32): `x, dy, y, dx` (byte offsets; `y`
 * is read only when `useY` is 1), `nb, h, w, c, ho, wo, kh, kw, sh, sw, pt, pl, useY`.
 */
export type MaxPoolGradCall = [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];

/** Signature of the generated export (see {@link maxPoolGradFn}). */
export type MaxPoolGrad = (...args: MaxPoolGradCall) => void;

/**
 * Generates `maxPoolGrad(x, dy, y, dx, nb, h, w, c, ho, wo, kh, kw, sh, sw, pt, pl, useY)`: the
 * NHWC float32 max-pool gradient of `nb` images with the cpu backend's first-occurrence rule
 * (`max-pool-grad.ts`): `dx` is zeroed, then for each window (row-major over `(b, oy, ox)`) and
 * channel `d`,
 *
 *   dx[p] += dy[b, oy, ox, d],  p = the first position (row, then column) of the window inside x
 *                                   whose value is strictly greater (`f32.gt`) than all earlier
 *                                   ones, starting from -Infinity
 *
 * (none when every value is NaN / -Infinity). With `useY = 1` (the forward output `y`, valid only
 * when x holds no NaN) it first looks for the first position with `x === y` (`f32.eq`: -0 equals
 * 0), which is that same position, and falls back to the scan when `y` is -Infinity, NaN or not
 * found. Channels go in groups of 4 as SIMD128 (`f32x4.gt` + `v128.bitselect` keeping the running
 * maximum and its byte address per lane: the same scan, branch-free, `y` unused), the last
 * `c % 4` one at a time as above. Images are independent, so callers split `nb` over threads.
 */
export function maxPoolGradFn(name: string = MAX_POOL_GRAD_EXPORT): Fn {
  const f = new Fn(name, new Array<typeof I32>(17).fill(I32));
  const [x, g, y, dx, nb, h, w, c, ho, wo, kh, kw, sh, sw, pt, pl, useY] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
  const L = (): Local => f.local(I32);
  const [b, yr, yc, d, rLo, rHi, cLo, cHi, xr, q, qEnd, p, o, xb, dxOff, cs, imgBytes, t] = Array.from({ length: 18 }, L) as Local[] as [
    Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local];
  const m = f.local(F32);
  const best = f.local(F32);
  const v = f.local(F32);
  const best4 = f.local(V128);
  const p4 = f.local(V128);
  const v4 = f.local(V128);
  const mask = f.local(V128);
  const lanes = f.local(V128);
  const loopTo = (i: Local, end: Local, body: () => void): void => void f.forRange(i, end, body);
  const max0 = (dst: Local): void => {
    // dst = max(dst, 0)
    f.get(dst).i32(0).get(dst).i32(0).gtS().select().set(dst);
  };
  const minTo = (dst: Local, lim: Local): void => {
    f.get(dst).get(lim).get(dst).get(lim).ltS().select().set(dst);
  };
  /** Row loop over the window inside x, column loop with q (byte address in x); `inner` at depth 0 = col loop. */
  const windowLoops = (inner: () => void): void => {
    f.get(rLo).set(xr);
    f.block().loop();
    f.get(xr).get(rHi).geS().brIf(1);
    // q = xb + ((xr*w + cLo)*c + d)*4 ; qEnd = xb + ((xr*w + cHi)*c + d)*4
    f.get(xr).get(w).mul().get(cLo).add().get(c).mul().get(d).add().i32(4).mul().get(xb).add().set(q);
    f.get(xr).get(w).mul().get(cHi).add().get(c).mul().get(d).add().i32(4).mul().get(xb).add().set(qEnd);
    f.block().loop();
    f.get(q).get(qEnd).geS().brIf(1);
    inner();
    f.get(q).get(cs).add().set(q).br(0);
    f.end().end();
    f.inc(xr, 1).br(0);
    f.end().end();
  };

  f.get(c).i32(4).mul().set(cs);
  f.simd(0x0c, ...[0, 4, 8, 12].flatMap((k) => [k, 0, 0, 0])); // v128.const i32x4 0 4 8 12
  f.set(lanes);
  f.get(h).get(w).mul().get(cs).mul().set(imgBytes);
  f.get(dx).get(x).sub().set(dxOff);
  // dx = 0 (memory.fill dst, 0, len)
  f.get(dx).i32(0).get(imgBytes).get(nb).mul().op(0xfc, 11, 0);
  f.get(x).set(xb);
  f.i32(0).set(o);
  loopTo(b, nb, () => {
    loopTo(yr, ho, () => {
      f.get(yr).get(sh).mul().get(pt).sub().tee(rLo).get(kh).add().set(rHi);
      max0(rLo);
      minTo(rHi, h);
      loopTo(yc, wo, () => {
        f.get(yc).get(sw).mul().get(pl).sub().tee(cLo).get(kw).add().set(cHi);
        max0(cLo);
        minTo(cHi, w);
        // channels in groups of 4 (SIMD, branch-free full scan), then one at a time
        f.i32(0).set(d);
        f.block().loop();
        f.get(d).get(c).geS().brIf(1);
        f.get(c).get(d).sub().i32(4).geS().if_();
        // best4 = -Inf, p4 = -1; per position: mask = v4 > best4 (false for NaN), keep the first
        f.f32(Number.NEGATIVE_INFINITY).f32x4Splat().set(best4);
        f.i32(-1);
        f.simd(0x11); // i32x4.splat
        f.set(p4);
        windowLoops(() => {
          f.get(q).v128Load().tee(v4).get(best4);
          f.simd(0x44); // f32x4.gt
          f.set(mask);
          f.get(v4).get(best4).get(mask);
          f.simd(0x52); // v128.bitselect
          f.set(best4);
          f.get(q);
          f.simd(0x11);
          f.get(lanes);
          f.simd(0xae); // i32x4.add
          f.get(p4).get(mask);
          f.simd(0x52);
          f.set(p4);
        });
        for (let lane = 0; lane < 4; lane++) {
          f.get(p4);
          f.simd(0x1b, lane); // i32x4.extract_lane
          f.tee(p).i32(0).geS().if_();
          f.get(p).get(dxOff).add().tee(t).get(t).f32Load().get(g).get(o).add().f32Load(4 * lane).f32Add().f32Store();
          f.end();
        }
        f.inc(o, 16).inc(d, 4);
        f.else_();
        {
          f.i32(-1).set(p);
          // early exit on y: only for finite / +Inf y (y > -Inf is false for NaN too)
          f.get(useY).if_();
          f.get(y).get(o).add().f32Load().tee(m).f32(Number.NEGATIVE_INFINITY).op(0x5e /* f32.gt */).if_();
          f.block(); // $found
          windowLoops(() => {
            f.get(q).f32Load().get(m).op(0x5b /* f32.eq */).if_();
            // depths: if 0, col loop 1, col block 2, row loop 3, row block 4, $found 5
            f.get(q).set(p).br(5);
            f.end();
          });
          f.end(); // $found
          f.end(); // if y > -inf
          f.end(); // if useY
          f.get(p).i32(0).ltS().if_();
          f.f32(Number.NEGATIVE_INFINITY).set(best);
          windowLoops(() => {
            f.get(q).f32Load().tee(v).get(best).op(0x5e /* f32.gt */).if_();
            f.get(v).set(best);
            f.get(q).set(p);
            f.end();
          });
          f.end();
          f.get(p).i32(0).geS().if_();
          f.get(p).get(dxOff).add().tee(t).get(t).f32Load().get(g).get(o).add().f32Load().f32Add().f32Store();
          f.end();
          f.inc(o, 4).inc(d, 1);
        }
        f.end(); // if 4 channels left
        f.br(0);
        f.end().end();
      });
    });
    f.get(xb).get(imgBytes).add().set(xb);
  });
  return f;
}
