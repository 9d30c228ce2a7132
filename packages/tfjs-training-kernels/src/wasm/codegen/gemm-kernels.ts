import { allFewChannelFilterGradFns } from './few-channel-filter-grad-kernel';
import { sgdMomentumFn, sgdMomentumRegFn } from './sgd-momentum-kernel';
import { maxPoolGradFn } from './max-pool-grad-kernel';
import { winogradFns } from './winograd-kernels';
import { channelKernelFns } from './channel-kernels';
import { poolFn } from './pool-kernel';
import { allDirectConvFns } from './direct-conv-kernel';
import { encodeModule, F32, Fn, I32, V128, type Local, type MemoryImport } from './wasm-encoder';

/** Shape of the generated register-blocked micro-kernel. */
export interface MicroKernelShape {
  /** Rows of C per micro-tile (MR); any value in [1, 16]. */
  mr: number;
  /** Columns of C per micro-tile (NR); a multiple of 4 (one v128 holds 4 columns) in [4, 32]. */
  nr: number;
  /** Unroll factor of the k loop (1..8). */
  ku: number;
  /** Use `f32x4.relaxed_madd` (one fused-or-not multiply-add) instead of `f32x4.mul` + `f32x4.add`. */
  relaxed: boolean;
}

/**
 * Generates the GEMM module's three functions, for row-major C and packed operands in the style of
 * Goto & van de Geijn, "Anatomy of high-performance matrix multiplication" (ACM TOMS 34(3), 2008)
 * and BLIS's micro-kernel design (Van Zee & van de Geijn, ACM TOMS 41(3), 2015):
 *
 * - `packA(src, rs, cs, mc, kc, dst)`: the block `A[0:mc, 0:kc]`, element `(i, p)` at byte
 *   `src + i*rs + p*cs` (so a transposed A is just other strides), into `ceil(mc/MR)` panels of
 *   `kc * MR` floats, panel `q` at `dst + q*kc*MR*4`, element `(q*MR + r, p)` at `(p*MR + r)*4`
 *   within it; rows past `mc` are zero.
 * - `packB(src, rs, cs, kc, nc, dst)`: the block `B[0:kc, 0:nc]` (element `(p, j)` at
 *   `src + p*rs + j*cs`) into `ceil(nc/NR)` panels of `kc * NR` floats (`(p*NR + c)*4`); columns
 *   past `nc` are zero.
 * - `macro(mc, nc, kc, pa, pb, c, ldc, accumulate, scratch)`: for every MR x NR micro-tile,
 *   `C[i:i+MR, j:j+NR] (+)= sum_p Apanel[:, p] (x) Bpanel[p, :]` (rank-1 updates held in
 *   `MR * NR / 4` v128 accumulators), `C` row-major with `ldc` bytes per row. Full tiles are written
 *   directly; edge tiles (fewer than MR rows or NR columns left) go through `scratch`
 *   (`MR*NR*4` bytes) and a scalar copy of the valid part.
 *
 * - `filterGrad<ci>x<nv>(...)`: the few-channel stride-1 filter gradient (see
 *   `fewChannelFilterGradFn`), one per `ci` in [1, 4] and `nv` in [1, 8].
 * - `wgInput<m>`, `wgDy<m>`, `wgOutput<m>`, `wgFilter<m>`, `wgFilterFlip<m>`, `wgFilterGrad<m>`:
 *   the Winograd F(m x m, 3x3) transforms (see `winograd-kernels.ts`).
 * - `chanAdd`, `chanSub`, `chanRsub`, `chanMul`, `chanNorm`, `relu`, `square`, `reluGrad`,
 *   `poolSpread`: elementwise kernels (see `channel-kernels.ts`).
 * - `pool2d`: max / average pooling over windows inside the image (see `pool-kernel.ts`).
 * - `directConv<nv>(...)`: the few-channel stride-1 direct convolution (see `directConvFn`), one
 *   per `nv` in [1, 4].
 *
 * All byte strides and pointers are i32 offsets into the imported memory.
 */
export function gemmFunctions(s: MicroKernelShape): Fn[] {
  const { mr: MR, nr: NR, ku: KU } = s;
  if (!Number.isInteger(MR) || MR < 1 || MR > 16) throw new Error(`gemm: mr must be an integer in [1, 16]; got ${MR}`);
  if (!Number.isInteger(NR) || NR % 4 !== 0 || NR < 4 || NR > 32) throw new Error(`gemm: nr must be a multiple of 4 in [4, 32]; got ${NR}`);
  if (!Number.isInteger(KU) || KU < 1 || KU > 8) throw new Error(`gemm: ku must be an integer in [1, 8]; got ${KU}`);
  return [
    packFn('packA', MR), packFn('packB', NR), macroFn(s), driverFn(), im2colFn('im2col', false), im2colFn('col2im', true),
    ...allFewChannelFilterGradFns(s.relaxed), sgdMomentumFn(), sgdMomentumRegFn(), maxPoolGradFn(), ...winogradFns(), ...channelKernelFns(),
    ...allDirectConvFns(s.relaxed), poolFn(),
  ];
}

/**
 * `im2col(x, n, h, w, c, kh, kw, sh, sw, pt, pl, ho, wo, cols)` (pointers in bytes, NHWC `x`):
 *
 *   cols[(b, oy, ox), (ky, kx, ci)] = x[b, oy*sh + ky - pt, ox*sw + kx - pl, ci]   (0 outside x)
 *
 * rows of `kh*kw*c` floats, runs of `c` floats copied with v128 moves. With `scatter` (`col2im`,
 * same parameters, `x` being dx) the transpose operation instead: `x[...] += cols[...]` for the
 * positions inside x (the caller zeroes x first).
 */
function im2colFn(name: string, scatter: boolean): Fn {
  const f = new Fn(name, new Array<typeof I32>(14).fill(I32));
  const [x, n, h, w, c, kh, kw, sh, sw, pt, pl, ho, wo, cols] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  const [d, b, oy, ox, ky, kx, iy, ix, src, q] = Array.from({ length: 10 }, () => f.local(I32)) as [Local, Local, Local, Local, Local, Local, Local, Local, Local, Local];
  const loopTo = (i: Local, end: Local, body: () => void): void => void f.forRange(i, end, body);
  /** Moves `c` floats between `src` (x) and `d` (cols), advancing both; `zero`: cols = 0 only. */
  const run = (zero: boolean): void => {
    f.get(c).set(q);
    for (const [width, bytes] of [[4, 16], [1, 4]] as const) {
      f.block().loop();
      f.get(q).i32(width).ltS().brIf(1);
      if (zero) {
        if (width === 4) f.get(d).v128Zero().v128Store();
        else f.get(d).f32(0).f32Store();
      } else if (!scatter) {
        if (width === 4) f.get(d).get(src).v128Load().v128Store();
        else f.get(d).get(src).f32Load().f32Store();
      } else if (width === 4) {
        f.get(src).get(src).v128Load().get(d).v128Load().f32x4Add().v128Store();
      } else {
        f.get(src).get(src).f32Load().get(d).f32Load().f32Add().f32Store();
      }
      f.inc(d, bytes);
      if (!zero) f.inc(src, bytes);
      f.inc(q, -width).br(0);
      f.end().end();
    }
  };
  f.get(cols).set(d);
  loopTo(b, n, () =>
    loopTo(oy, ho, () =>
      loopTo(ox, wo, () =>
        loopTo(ky, kh, () => {
          f.get(oy).get(sh).mul().get(ky).add().get(pt).sub().set(iy);
          loopTo(kx, kw, () => {
            f.get(ox).get(sw).mul().get(kx).add().get(pl).sub().set(ix);
            f.get(iy).get(h).ltU().get(ix).get(w).ltU().and().if_();
            // src = x + ((b*h + iy)*w + ix)*c*4
            f.get(x).get(b).get(h).mul().get(iy).add().get(w).mul().get(ix).add().get(c).mul().i32(4).mul().add().set(src);
            run(false);
            f.else_();
            if (scatter) f.get(d).get(c).i32(4).mul().add().set(d);
            else run(true);
            f.end();
          });
        }),
      ),
    ),
  );
  return f;
}

/** Function indices in the order {@link gemmFunctions} returns them. */
const PACK_A = 0;
const PACK_B = 1;
const MACRO = 2;

/**
 * `gemm(m, n, k, a, ars, acs, b, brs, bcs, c, ldc, accumulate, pa, pb, scratch, KC, MC, NC)`: the
 * three outer loops of the Goto / BLIS algorithm (all sizes in elements, strides in bytes;
 * `A(i, p)` at `a + i*ars + p*acs`, `B(p, j)` at `b + p*brs + j*bcs`, `MC` a multiple of MR and
 * `NC` of NR, `pa` / `pb` / `scratch` this thread's packing buffers):
 *
 *   for jc in [0, n) step NC:            B block columns (L3)
 *     for pc in [0, k) step KC:          depth slice
 *       packB(B[pc:pc+KC, jc:jc+NC])
 *       for ic in [0, m) step MC:        A block rows (L2)
 *         packA(A[ic:ic+MC, pc:pc+KC]); macro(...)   (C += for pc > 0)
 *
 * For k = 0 nothing is written (the caller zeroes C).
 */
function driverFn(): Fn {
  const f = new Fn('gemm', new Array<typeof I32>(18).fill(I32));
  const [m, n, k, a, ars, acs, b, brs, bcs, c, ldc, accumulate, pa, pb, scratch, KC, MC, NC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
  const jc = f.local(I32);
  const pc = f.local(I32);
  const ic = f.local(I32);
  const ncb = f.local(I32);
  const kcb = f.local(I32);
  const mcb = f.local(I32);
  const rest = f.local(I32);
  f.i32(0).set(jc);
  f.block().loop();
  f.get(jc).get(n).geS().brIf(1);
  f.get(n).get(jc).sub().set(rest).minS(NC, rest).set(ncb);
  f.i32(0).set(pc);
  f.block().loop();
  {
    f.get(pc).get(k).geS().brIf(1);
    f.get(k).get(pc).sub().set(rest).minS(KC, rest).set(kcb);
    // packB(b + pc*brs + jc*bcs, bcs, brs, ncb, kcb, pb)
    f.get(b).get(pc).get(brs).mul().add().get(jc).get(bcs).mul().add();
    f.get(bcs).get(brs).get(ncb).get(kcb).get(pb).call(PACK_B);
    f.i32(0).set(ic);
    f.block().loop();
    {
      f.get(ic).get(m).geS().brIf(1);
      f.get(m).get(ic).sub().set(rest).minS(MC, rest).set(mcb);
      f.get(a).get(ic).get(ars).mul().add().get(pc).get(acs).mul().add();
      f.get(ars).get(acs).get(mcb).get(kcb).get(pa).call(PACK_A);
      f.get(mcb).get(ncb).get(kcb).get(pa).get(pb);
      f.get(c).get(ic).get(ldc).mul().add().get(jc).i32(4).mul().add();
      f.get(ldc).get(accumulate).get(pc).i32(0).gtS().or().get(scratch).call(MACRO);
      f.get(ic).get(MC).add().set(ic).br(0);
    }
    f.end().end();
    f.get(pc).get(KC).add().set(pc).br(0);
  }
  f.end().end();
  f.get(jc).get(NC).add().set(jc).br(0);
  f.end().end();
  return f;
}

/**
 * A packing routine for panels of `W` rows (packA: W = MR; packB is the same routine with the
 * roles of the two indices swapped: W = NR columns). Parameters `(src, rs, cs, len, kc, dst)`:
 * element `(w, p)` (`w < len` across panels, `p < kc` along them) is read at `src + w*rs + p*cs`
 * and written at `dst + (w/W)*kc*W*4 + (p*W + w%W)*4`.
 */
function packFn(name: string, W: number): Fn {
  // For packB the "w" index is the column j (stride cs of B) and "p" the row (stride rs): the
  // caller passes B's strides swapped, see WasmGemm. Here rs = stride of w, cs = stride of p.
  const f = new Fn(name, [I32, I32, I32, I32, I32, I32]);
  const [src, rs, cs, len, kc, dst] = [0, 1, 2, 3, 4, 5];
  const w0 = f.local(I32);
  const left = f.local(I32);
  const s = f.local(I32);
  const t = f.local(I32);
  const p = f.local(I32);
  const out = f.local(I32);
  const rows = Array.from({ length: 8 }, () => f.local(V128));
  f.get(dst).set(out);
  f.i32(0).set(w0);
  f.block().loop();
  {
    f.get(w0).get(len).geS().brIf(1);
    f.get(len).get(w0).sub().set(left);
    // s = src + w0 * rs
    f.get(src).get(w0).get(rs).mul().add().set(s);
    f.get(kc).set(p);
    f.get(left).i32(W).geS().if_();
    {
      f.get(rs).i32(4).eq().i32(W % 4 === 0 ? 1 : 0).and().if_();
      {
        // contiguous w: W/4 v128 copies per p
        f.block().loop();
        f.get(p).i32(0).leS().brIf(1);
        for (let v = 0; v < W / 4; v++) f.get(out).get(s).v128Load(v * 16).v128Store(v * 16);
        f.inc(out, W * 4).inc(s, cs, true).inc(p, -1).br(0);
        f.end().end();
      }
      f.else_();
      {
        if (W % 4 === 0 || W === 2) {
          // p contiguous (cs = 4): 4 p at a time, one v128 per row, transposed with shuffles
          f.get(cs).i32(4).eq().if_();
          f.block().loop();
          f.get(p).i32(4).ltS().brIf(1);
          transposeChunk(f, W, s, rs, out, t, rows);
          f.inc(out, 4 * W * 4).inc(s, 16).inc(p, -4).br(0);
          f.end().end();
          f.end();
        }
        f.block().loop();
        f.get(p).i32(0).leS().brIf(1);
        f.get(s).set(t);
        for (let w = 0; w < W; w++) {
          f.get(out).get(t).f32Load().f32Store(w * 4);
          if (w + 1 < W) f.inc(t, rs, true);
        }
        f.inc(out, W * 4).inc(s, cs, true).inc(p, -1).br(0);
        f.end().end();
      }
      f.end();
    }
    f.else_();
    {
      // edge panel: rows past len are zero
      f.block().loop();
      f.get(p).i32(0).leS().brIf(1);
      f.get(s).set(t);
      for (let w = 0; w < W; w++) {
        f.get(left).i32(w).gtS().if_();
        f.get(out).get(t).f32Load().f32Store(w * 4);
        f.else_();
        f.get(out).f32(0).f32Store(w * 4);
        f.end();
        if (w + 1 < W) f.inc(t, rs, true);
      }
      f.inc(out, W * 4).inc(s, cs, true).inc(p, -1).br(0);
      f.end().end();
    }
    f.end();
    f.inc(w0, W).br(0);
  }
  f.end().end();
  return f;
}

/**
 * Packs 4 consecutive p of W rows (row w at `s + w*rs`, p contiguous) as `out + (pp*W + w)*4`:
 * per group of 4 rows a 4x4 transpose (two rounds of 32-bit-lane shuffles); W = 2 interleaves.
 */
function transposeChunk(f: Fn, W: number, s: Local, rs: Local, out: Local, t: Local, v: Local[]): void {
  const [r0, r1, r2, r3, t0, t1, t2, t3] = v as [Local, Local, Local, Local, Local, Local, Local, Local];
  f.get(s).set(t);
  if (W === 2) {
    f.get(t).v128Load().set(r0);
    f.inc(t, rs, true).get(t).v128Load().set(r1);
    f.get(out).get(r0).get(r1).shuffle32([0, 4, 1, 5]).v128Store(0);
    f.get(out).get(r0).get(r1).shuffle32([2, 6, 3, 7]).v128Store(16);
    return;
  }
  for (let g = 0; g < W / 4; g++) {
    const r = [r0, r1, r2, r3];
    for (let x = 0; x < 4; x++) {
      if (g > 0 || x > 0) f.inc(t, rs, true);
      f.get(t).v128Load().set(r[x]!);
    }
    // t0 = (r0p0 r1p0 r0p1 r1p1), t1 = (r2p0 r3p0 r2p1 r3p1), t2/t3 the same for p2, p3
    f.get(r0).get(r1).shuffle32([0, 4, 1, 5]).set(t0);
    f.get(r2).get(r3).shuffle32([0, 4, 1, 5]).set(t1);
    f.get(r0).get(r1).shuffle32([2, 6, 3, 7]).set(t2);
    f.get(r2).get(r3).shuffle32([2, 6, 3, 7]).set(t3);
    const base = g * 16;
    f.get(out).get(t0).get(t1).shuffle32([0, 1, 4, 5]).v128Store(base);
    f.get(out).get(t0).get(t1).shuffle32([2, 3, 6, 7]).v128Store(base + W * 4);
    f.get(out).get(t2).get(t3).shuffle32([0, 1, 4, 5]).v128Store(base + 2 * W * 4);
    f.get(out).get(t2).get(t3).shuffle32([2, 3, 6, 7]).v128Store(base + 3 * W * 4);
  }
}

function macroFn(sh: MicroKernelShape): Fn {
  const { mr: MR, nr: NR, ku: KU, relaxed } = sh;
  const NV = NR / 4;
  const f = new Fn('macro', [I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [mc, nc, kc, pa, pb, c, ldc, accumulate, scratch] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const j = f.local(I32);
  const i = f.local(I32);
  const pbj = f.local(I32);
  const pai = f.local(I32);
  const a = f.local(I32);
  const b = f.local(I32);
  const p = f.local(I32);
  const ct = f.local(I32);
  const t = f.local(I32);
  const mrLeft = f.local(I32);
  const nrLeft = f.local(I32);
  const r = f.local(I32);
  const q = f.local(I32);
  const acc: Local[][] = [];
  for (let x = 0; x < MR; x++) acc.push(Array.from({ length: NV }, () => f.local(V128)));
  const bv: Local[] = Array.from({ length: NV }, () => f.local(V128));
  const av = f.local(V128);
  const sv = f.local(F32);

  /** One rank-1 update: k index at byte offsets `ao` into the A panel and `bo` into the B panel. */
  const step = (ao: number, bo: number): void => {
    for (let v = 0; v < NV; v++) f.get(b).v128Load(bo + v * 16).set(bv[v]!);
    for (let x = 0; x < MR; x++) {
      f.get(a).v128Load32Splat(ao + x * 4).set(av);
      for (let v = 0; v < NV; v++) {
        if (relaxed) f.get(av).get(bv[v]!).get(acc[x]![v]!).f32x4RelaxedMadd().set(acc[x]![v]!);
        else f.get(acc[x]![v]!).get(av).get(bv[v]!).f32x4Mul().f32x4Add().set(acc[x]![v]!);
      }
    }
  };

  f.i32(0).set(j);
  f.get(pb).set(pbj);
  f.block().loop();
  f.get(j).get(nc).geS().brIf(1);
  f.get(nc).get(j).sub().set(nrLeft);
  f.i32(0).set(i);
  f.get(pa).set(pai);
  f.block().loop();
  {
    f.get(i).get(mc).geS().brIf(1);
    f.get(mc).get(i).sub().set(mrLeft);
    for (const row of acc) for (const l of row) f.v128Zero().set(l);
    f.get(pai).set(a).get(pbj).set(b).get(kc).set(p);
    if (KU > 1) {
      f.block().loop();
      f.get(p).i32(KU).ltS().brIf(1);
      for (let u = 0; u < KU; u++) step(u * MR * 4, u * NR * 4);
      f.inc(a, KU * MR * 4).inc(b, KU * NR * 4).inc(p, -KU).br(0);
      f.end().end();
    }
    f.block().loop();
    f.get(p).i32(0).leS().brIf(1);
    step(0, 0);
    f.inc(a, MR * 4).inc(b, NR * 4).inc(p, -1).br(0);
    f.end().end();
    // ct = c + i*ldc + j*4
    f.get(c).get(i).get(ldc).mul().add().get(j).i32(4).mul().add().set(ct);
    f.get(mrLeft).i32(MR).geS().get(nrLeft).i32(NR).geS().and().if_();
    {
      f.get(accumulate).if_();
      f.get(ct).set(t);
      for (let x = 0; x < MR; x++) {
        for (let v = 0; v < NV; v++) f.get(t).get(t).v128Load(v * 16).get(acc[x]![v]!).f32x4Add().v128Store(v * 16);
        if (x + 1 < MR) f.inc(t, ldc, true);
      }
      f.else_();
      f.get(ct).set(t);
      for (let x = 0; x < MR; x++) {
        for (let v = 0; v < NV; v++) f.get(t).get(acc[x]![v]!).v128Store(v * 16);
        if (x + 1 < MR) f.inc(t, ldc, true);
      }
      f.end();
    }
    f.else_();
    {
      for (let x = 0; x < MR; x++) for (let v = 0; v < NV; v++) f.get(scratch).get(acc[x]![v]!).v128Store((x * NR + v * 4) * 4);
      // for r < min(mrLeft, MR), q < min(nrLeft, NR): C[r, q] = (accumulate ? C[r, q] : 0) + scratch[r*NR + q]
      f.get(mrLeft).i32(MR).get(mrLeft).i32(MR).ltS().select().set(mrLeft);
      f.get(nrLeft).i32(NR).get(nrLeft).i32(NR).ltS().select().set(nrLeft);
      f.i32(0).set(r);
      f.block().loop();
      f.get(r).get(mrLeft).geS().brIf(1);
      f.i32(0).set(q);
      f.block().loop();
      f.get(q).get(nrLeft).geS().brIf(1);
      // t = ct + r*ldc + q*4
      f.get(ct).get(r).get(ldc).mul().add().get(q).i32(4).mul().add().set(t);
      f.get(scratch).get(r).i32(NR).mul().get(q).add().i32(4).mul().add().f32Load().set(sv);
      f.get(accumulate).if_();
      f.get(sv).get(t).f32Load().f32Add().set(sv);
      f.end();
      f.get(t).get(sv).f32Store();
      f.inc(q, 1).br(0);
      f.end().end();
      f.inc(r, 1).br(0);
      f.end().end();
    }
    f.end();
    f.get(pai).get(kc).i32(MR * 4).mul().add().set(pai);
    f.inc(i, MR).br(0);
  }
  f.end().end();
  f.get(pbj).get(kc).i32(NR * 4).mul().add().set(pbj);
  f.inc(j, NR).br(0);
  f.end().end();
  return f;
}

/** The GEMM module's bytes for a micro-kernel shape and memory import. */
export function gemmModuleBytes(shape: MicroKernelShape, memory: MemoryImport): Uint8Array<ArrayBuffer> {
  return encodeModule(gemmFunctions(shape), memory);
}

/**
 * Whether this engine accepts `f32x4.relaxed_madd` (relaxed SIMD: Node >= 22, Chromium >= 114;
 * Node 20 only with `--experimental-wasm-relaxed-simd`).
 */
export function relaxedSimdSupported(): boolean {
  const bytes = gemmModuleBytes({ mr: 1, nr: 4, ku: 1, relaxed: true }, { shared: false, minimumPages: 0 });
  return WebAssembly.validate(bytes);
}
