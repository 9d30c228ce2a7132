import { Fn, I32, V128, type Local } from './wasm-encoder';

/** Largest input channel count the generated kernel handles (its accumulators live in locals). */
export const FEW_CHANNEL_MAX_CI = 4;
/** Largest output channel count (`ceil(Co / 4)` v128 lanes of dy per pixel). */
export const FEW_CHANNEL_MAX_CO = 32;

/** The export name of the `(ci, nv)` variant: `filterGrad<ci>x<nv>`. */
export const fewChannelFilterGradName = (ci: number, nv: number): string => `filterGrad${ci}x${nv}`;

/** Every `(ci, nv)` variant, `ci` in [1, 4], `nv` in [1, 8] (32 functions, appended to the GEMM module). */
export function allFewChannelFilterGradFns(relaxed: boolean): Fn[] {
  const out: Fn[] = [];
  for (let ci = 1; ci <= FEW_CHANNEL_MAX_CI; ci++) for (let nv = 1; nv <= FEW_CHANNEL_MAX_CO / 4; nv++) out.push(fewChannelFilterGradFn(ci, nv, relaxed));
  return out;
}

/**
 * Generates `filterGrad<ci>x<nv>(x, dy, nb, h, w, ho, wo, co, kh, kw, pt, pl, acc, xs)` for
 * `ci` input channels and `nv = ceil(Co / 4)` vectors of output channels: the stride-1 filter
 * gradient
 *
 *   acc[i, j, c, o] += sum_{b < nb, oy, ox} x[b, oy + i - pt, ox + j - pl, c] * dy[b, oy, ox, o]
 *
 * (`x` NHWC `[nb, h, w, *]` with `xs` bytes per pixel: channels `c < ci` from `x` on, so wider
 * inputs are done `ci` channels at a time; `dy` `[nb, ho, wo, co]`; `acc` `[kh, kw, ci, 4 nv]`
 * floats; pointers in bytes). No im2col: per output row `oy` and tap `(i, j)` whose input row `iy = oy + i - pt`
 * lies inside `x`, the tap's `ci * nv` v128 accumulators are loaded into locals, the columns
 * `ox` in `[max(0, pl - j), min(wo, w + pl - j))` (those whose input column is inside `x`, so the
 * inner loop has no checks) are streamed, each as `nv` v128 loads of dy, `ci` splats of x and
 * `ci * nv` multiply-adds, and the accumulators stored back. The row of dy (`wo * co` floats) stays
 * in L1 across the `kh kw` taps. Each pixel's last vector reads up to 3 floats past its `co`
 * (the next pixel's, or past the end of dy: the caller keeps 16 bytes of memory after dy); those
 * lanes land in accumulator lanes `>= co`, which the caller ignores.
 */
export function fewChannelFilterGradFn(ci: number, nv: number, relaxed: boolean, name = fewChannelFilterGradName(ci, nv)): Fn {
  if (!Number.isInteger(ci) || ci < 1 || ci > FEW_CHANNEL_MAX_CI) throw new Error(`fewChannelFilterGrad: ci must be an integer in [1, ${FEW_CHANNEL_MAX_CI}]; got ${ci}`);
  if (!Number.isInteger(nv) || nv < 1 || nv > FEW_CHANNEL_MAX_CO / 4) throw new Error(`fewChannelFilterGrad: nv must be an integer in [1, ${FEW_CHANNEL_MAX_CO / 4}]; got ${nv}`);
  const f = new Fn(name, new Array<typeof I32>(14).fill(I32));
  const [x, dy, nb, h, w, ho, wo, co, kh, kw, pt, pl, acc, xs] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  const [b, oy, i, j, iy, x0, x1, cnt, xp, dp, ap, co4, xRow, dyRow] = Array.from({ length: 14 }, () => f.local(I32)) as Local[] as [
    Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local,
  ];
  const a: Local[][] = Array.from({ length: ci }, () => Array.from({ length: nv }, () => f.local(V128)));
  const d: Local[] = Array.from({ length: nv }, () => f.local(V128));
  const s = f.local(V128);
  const forTo = (i: Local, end: Local, body: () => void): void => void f.forRange(i, end, body);
  const madd = (acc_: Local, v: Local): void => {
    if (relaxed) f.get(s).get(v).get(acc_).f32x4RelaxedMadd().set(acc_);
    else f.get(acc_).get(s).get(v).f32x4Mul().f32x4Add().set(acc_);
  };

  f.get(co).i32(4).mul().set(co4);
  forTo(b, nb, () =>
    forTo(oy, ho, () => {
      // dyRow = dy + (b*ho + oy) * wo * co4
      f.get(dy).get(b).get(ho).mul().get(oy).add().get(wo).mul().get(co4).mul().add().set(dyRow);
      forTo(i, kh, () => {
        f.get(oy).get(i).add().get(pt).sub().tee(iy).get(h).ltU().if_();
        // xRow = x + (b*h + iy) * w * xs
        f.get(x).get(b).get(h).mul().get(iy).add().get(w).mul().get(xs).mul().add().set(xRow);
        forTo(j, kw, () => {
          // x0 = max(0, pl - j); x1 = min(wo, w + pl - j)
          f.get(pl).get(j).sub().set(x0);
          f.get(x0).i32(0).get(x0).i32(0).gtS().select().set(x0);
          f.get(w).get(pl).add().get(j).sub().set(x1);
          f.minS(wo, x1).set(x1);
          f.get(x0).get(x1).ltS().if_();
          {
            f.get(x1).get(x0).sub().set(cnt);
            // ap = acc + (i*kw + j) * ci*nv*16
            f.get(acc).get(i).get(kw).mul().get(j).add().i32(ci * nv * 16).mul().add().set(ap);
            for (let c = 0; c < ci; c++) for (let v = 0; v < nv; v++) f.get(ap).v128Load((c * nv + v) * 16).set(a[c]![v]!);
            f.get(dyRow).get(x0).get(co4).mul().add().set(dp);
            // xp = xRow + (x0 + j - pl) * xs
            f.get(xRow).get(x0).get(j).add().get(pl).sub().get(xs).mul().add().set(xp);
            f.loop();
            for (let v = 0; v < nv; v++) f.get(dp).v128Load(v * 16).set(d[v]!);
            for (let c = 0; c < ci; c++) {
              f.get(xp).v128Load32Splat(c * 4).set(s);
              for (let v = 0; v < nv; v++) madd(a[c]![v]!, d[v]!);
            }
            f.inc(dp, co4, true).inc(xp, xs, true);
            f.get(cnt).i32(1).sub().tee(cnt).brIf(0);
            f.end();
            for (let c = 0; c < ci; c++) for (let v = 0; v < nv; v++) f.get(ap).get(a[c]![v]!).v128Store((c * nv + v) * 16);
          }
          f.end();
        });
        f.end();
      });
    }),
  );
  return f;
}

/** Signature of the generated `filterGrad` export (see {@link fewChannelFilterGradFn}). */
export type FewChannelFilterGrad = (
  x: number, dy: number, nb: number, h: number, w: number, ho: number, wo: number, co: number,
  kh: number, kw: number, pt: number, pl: number, acc: number, xs: number,
) => void;

