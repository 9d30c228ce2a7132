import type { SgdMomentumCall, SgdMomentumRegCall } from '../codegen/sgd-momentum-kernel';
import type { MaxPoolGradCall } from '../codegen/max-pool-grad-kernel';
import type { DirectConvCall } from '../codegen/direct-conv-kernel';
import type { PoolCall } from '../codegen/pool-kernel';
import { CHANNEL_EXPORTS, isBinaryMap, isUnary, type ChannelCall, type ChannelExport } from '../codegen/channel-kernels';
import { parseTileExport, WINOGRAD_FILTER_EXPORTS, WINOGRAD_TILE_EXPORTS, type WinogradFilterCall, type WinogradFilterExport, type WinogradTileCall, type WinogradTileExport } from '../codegen/winograd-kernels';
import { createWasmGemm, isSharedMemory, type FewChannelFilterGradCall, type GemmBuffers, type GemmCall, type GemmOperand, type GemmProduct, type Im2colCall, type WasmGemm, type WasmGemmOptions } from './gemm';

/**
 * The control block shared by all threads (Int32): [0] job sequence (-1: exit), [1] next slab
 * (`Atomics.add`), [2] slab count, [DONE_AT + t] the last sequence worker t finished, and from
 * TABLE_AT, one entry of ARGS ints per slab: an op (OP_GEMM: the 18 `gemm` arguments follow, the
 * buffer slots 12-14 being each thread's own; OP_IM2COL / OP_COL2IM: 14 arguments).
 */
const DONE_AT = 3;
const TABLE_AT = 80;
const MAX_SLABS = 64;
const ARGS = 19;
const CTRL_INTS = TABLE_AT + MAX_SLABS * ARGS;
const OP_GEMM = 0;
const OP_IM2COL = 1;
const OP_COL2IM = 2;
const OP_FILTER_GRAD = 3;
const OP_SGD_MOMENTUM = 4;
const OP_MAX_POOL_GRAD = 5;
const OP_WINOGRAD_TILES = 6;
const OP_WINOGRAD_FILTER = 7;
const OP_CHANNEL = 8;
/** Fewest elements an elementwise kernel of `channel-kernels.ts` is split over the threads for. */
export const CHANNEL_MIN_PARALLEL = 65536;
/** Fewest `(ci, co)` pairs a Winograd filter transform is split over the threads for. */
export const WINOGRAD_FILTER_MIN_PARALLEL = 16384;
const OP_DIRECT_CONV = 9;
const OP_POOL = 10;
const OP_SGD_MOMENTUM_REG = 11;
/** Fewest window-channel pairs (`nb ho wo c`) a max-pool gradient is split over the threads for. */
export const MAX_POOL_GRAD_MIN_PARALLEL = 32768;
/** Fewest floats a momentum step is split over the threads for (below, one pass on the caller). */
export const SGD_MOMENTUM_MIN_PARALLEL = 262144;

/**
 * The worker loop (JavaScript source), run with `module, memory, ctrl, spin, t, pa, pb, scratch`
 * and `ready()` in scope: instantiates the GEMM module on the shared memory, calls `ready()`, then
 * loops: spin briefly on ctrl[0], sleep in `Atomics.wait` until it changes, take slabs with
 * `Atomics.add(ctrl, 1, 1)` and run each (a GEMM with this worker's own packing buffers, or an
 * im2col / col2im slice), publish the sequence number in ctrl[DONE_AT + t] and `Atomics.notify` it.
 */
export const workerLoopSource = `
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const { gemm, im2col, col2im } = ex;
const c = new Int32Array(ctrl);
let seen = Atomics.load(c, 0);
ready();
for (;;) {
  for (let i = 0; i < spin && Atomics.load(c, 0) === seen; i++);
  Atomics.wait(c, 0, seen);
  seen = Atomics.load(c, 0);
  if (seen < 0) break;
  const count = c[2];
  for (let s = Atomics.add(c, 1, 1); s < count; s = Atomics.add(c, 1, 1)) {
    const op = c[${TABLE_AT} + s * ${ARGS}];
    const b = ${TABLE_AT} + s * ${ARGS} + 1;
    if (op === ${OP_GEMM}) {
      gemm(c[b], c[b + 1], c[b + 2], c[b + 3], c[b + 4], c[b + 5], c[b + 6], c[b + 7], c[b + 8], c[b + 9], c[b + 10], c[b + 11],
        pa, pb, scratch, c[b + 15], c[b + 16], c[b + 17]);
    } else if (op === ${OP_SGD_MOMENTUM}) {
      ex.sgdMomentum(c[b], c[b + 1], c[b + 2], c[b + 3], c[b + 4], c[b + 5], c[b + 6], c[b + 7]);
    } else if (op === ${OP_SGD_MOMENTUM_REG}) {
      ex.sgdMomentumReg(c[b], c[b + 1], c[b + 2], c[b + 3], c[b + 4], c[b + 5], c[b + 6], c[b + 7], c[b + 8], c[b + 9], c[b + 10]);
    } else if (op === ${OP_MAX_POOL_GRAD}) {
      ex.maxPoolGrad(c[b], c[b + 1], c[b + 2], c[b + 3], c[b + 4], c[b + 5], c[b + 6], c[b + 7], c[b + 8], c[b + 9], c[b + 10],
        c[b + 11], c[b + 12], c[b + 13], c[b + 14], c[b + 15], c[b + 16]);
    } else if (op === ${OP_WINOGRAD_TILES}) {
      ex[${JSON.stringify(WINOGRAD_TILE_EXPORTS)}[c[b]]](c[b + 1], c[b + 2], c[b + 3], c[b + 4], c[b + 5], c[b + 6], c[b + 7], c[b + 8],
        c[b + 9], c[b + 10], c[b + 11], c[b + 12]);
    } else if (op === ${OP_CHANNEL}) {
      ex[${JSON.stringify(CHANNEL_EXPORTS)}[c[b]]](c[b + 1], c[b + 2], c[b + 3], c[b + 4], c[b + 5], c[b + 6], c[b + 7], c[b + 8]);
    } else if (op === ${OP_WINOGRAD_FILTER}) {
      ex[${JSON.stringify(WINOGRAD_FILTER_EXPORTS)}[c[b]]](c[b + 1], c[b + 2], c[b + 3], c[b + 4]);
    } else if (op === ${OP_FILTER_GRAD}) {
      ex['filterGrad' + c[b] + 'x' + c[b + 1]](c[b + 2], c[b + 3], c[b + 4], c[b + 5], c[b + 6], c[b + 7], c[b + 8], c[b + 9],
        c[b + 10], c[b + 11], c[b + 12], c[b + 13], c[b + 14], c[b + 15]);
    } else if (op === ${OP_POOL}) {
      ex.pool2d(c[b], c[b + 1], c[b + 2], c[b + 3], c[b + 4], c[b + 5], c[b + 6], c[b + 7], c[b + 8], c[b + 9], c[b + 10], c[b + 11], c[b + 12]);
    } else if (op === ${OP_DIRECT_CONV}) {
      ex['directConv' + c[b]](c[b + 1], c[b + 2], c[b + 3], c[b + 4], c[b + 5], c[b + 6], c[b + 7], c[b + 8], c[b + 9], c[b + 10],
        c[b + 11], c[b + 12], c[b + 13], c[b + 14], c[b + 15], c[b + 16]);
    } else {
      (op === ${OP_IM2COL} ? im2col : col2im)(c[b], c[b + 1], c[b + 2], c[b + 3], c[b + 4], c[b + 5], c[b + 6], c[b + 7], c[b + 8],
        c[b + 9], c[b + 10], c[b + 11], c[b + 12], c[b + 13]);
    }
  }
  Atomics.store(c, ${DONE_AT} + t, seen);
  Atomics.notify(c, ${DONE_AT} + t);
}
`;

/** Options of `createNodeThreadedGemm` / `createWebThreadedGemm`. */
export interface ThreadedGemmOptions extends WasmGemmOptions {
  /** Threads in all, the calling one included (default 2): `threads - 1` workers are started. */
  threads?: number;
  /** Products below this many FLOPs (`2 m n k`) run on the calling thread only (default 2e6). */
  minParallelFlops?: number;
  /**
   * Slabs per thread (default 2): C is cut into `threads * slabsPerThread` slabs that the threads
   * take dynamically, so a thread slowed by other load gets fewer; 1 = a static split.
   */
  slabsPerThread?: number;
  /** Busy-wait iterations a worker spins before sleeping (default 20000, about 20-50 us). */
  spin?: number;
  /** A call throws when a worker has not finished after this many ms (default 600000). */
  timeoutMs?: number;
}

/**
 * {@link WasmGemm} over several threads: `threads - 1` workers (Node `worker_threads`, or Web
 * Workers in a browser) instantiate the same module on the same SHARED memory (the threaded tfjs
 * wasm build's heap, i.e. `useBackend('wasm', { threads: 2 })`). Each call cuts C into `threads * slabsPerThread` slabs,
 * along N when `m <= n` (each slab packs only its part of B; A is packed per slab) and along M
 * otherwise, on MR / NR boundaries; every thread, the caller included, takes slabs from a shared
 * counter until none is left. Hand-off per call is through one shared Int32 control block
 * (`Atomics.store` + `Atomics.notify`, then `Atomics.wait` for each worker's completion, or a spin
 * on `Atomics.load` where the caller may not block: a browser's main thread), no `postMessage`.
 */
export class ThreadedWasmGemm {
  private seq = 0;
  private disposed = false;

  constructor(
    /** The calling thread's GEMM (and the module the workers instantiate). */
    readonly local: WasmGemm,
    private readonly workers: readonly { terminate(): unknown }[],
    private readonly ctrl: Int32Array,
    private readonly opts: { minParallelFlops: number; timeoutMs: number; slabsPerThread: number; failures: readonly string[]; canBlock: boolean },
  ) {}

  /** Threads in all. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /** `C = op(A) @ op(B)` (or `C +=` with `accumulate`), split over the threads; see {@link WasmGemm.gemm}. */
  gemm(m: number, n: number, k: number, a: GemmOperand, b: GemmOperand, c: GemmOperand, accumulate = false): void {
    if (this.disposed) throw new Error('ThreadedWasmGemm.gemm: called after dispose()');
    if (this.opts.failures.length > 0) throw new Error(`ThreadedWasmGemm.gemm: ${this.opts.failures.join('; ')}`);
    const { mr, nr } = this.local.kernel;
    const byN = m <= n;
    const len = byN ? n : m;
    const unit = byN ? nr : mr;
    const slabs = Math.min(MAX_SLABS, this.threads * this.opts.slabsPerThread, Math.ceil(len / unit));
    if (2 * m * n * k < this.opts.minParallelFlops || k === 0 || slabs < 2 || this.threads < 2) {
      this.local.gemm(m, n, k, a, b, c, accumulate);
      return;
    }
    const part = Math.ceil(Math.ceil(len / slabs) / unit) * unit;
    const jobs: number[][] = [];
    for (let lo = 0; lo < len; lo += part) {
      const size = Math.min(part, len - lo);
      let call: GemmCall | null;
      if (byN) {
        const bOff = b.trans ? lo * b.ld * 4 : lo * 4;
        call = this.local.plan(m, size, k, a, { ...b, ptr: b.ptr + bOff }, { ...c, ptr: c.ptr + lo * 4 }, accumulate, this.local.buffers);
      } else {
        const aOff = a.trans ? lo * 4 : lo * a.ld * 4;
        call = this.local.plan(size, n, k, { ...a, ptr: a.ptr + aOff }, b, { ...c, ptr: c.ptr + lo * c.ld * 4 }, accumulate, this.local.buffers);
      }
      if (call !== null) jobs.push([OP_GEMM, ...call]);
    }
    this.runJobs(jobs);
  }

  /**
   * `C (+)= op(A) @ op(B)` with the depth `k` cut into at most `min(maxSlices, threads *
   * slabsPerThread, k / 256)` slices that the threads take dynamically (for small `C` and deep `k`, e.g. a stem's filter gradient `[147, 64]` over
   * `k = 65536`, where splitting C would pack the whole of one operand once per slab): slice 0
   * writes (or adds into) `c`, slice `s >= 1` writes its own `[m, n]` partial product (ld `n`) at
   * byte offset `partial + (s - 1) m n 4`, which the caller adds into `c`. Returns the number of
   * slices (1: everything went into `c`).
   */
  gemmSplitK(m: number, n: number, k: number, a: GemmOperand, b: GemmOperand, c: GemmOperand, accumulate: boolean, partial: number, maxSlices: number): number {
    if (this.disposed) throw new Error('ThreadedWasmGemm.gemmSplitK: called after dispose()');
    const slices = Math.min(MAX_SLABS, maxSlices, this.threads * this.opts.slabsPerThread, Math.floor(k / 256));
    if (this.threads < 2 || slices < 2 || 2 * m * n * k < this.opts.minParallelFlops) {
      this.local.gemm(m, n, k, a, b, c, accumulate);
      return 1;
    }
    const part = Math.ceil(k / slices);
    const jobs: number[][] = [];
    for (let k0 = 0; k0 < k; k0 += part) {
      const s = jobs.length;
      const aOff = a.trans ? k0 * a.ld * 4 : k0 * 4;
      const bOff = b.trans ? k0 * 4 : k0 * b.ld * 4;
      const cs = s === 0 ? c : { ptr: partial + (s - 1) * m * n * 4, ld: n };
      const call = this.local.plan(m, n, Math.min(part, k - k0), { ...a, ptr: a.ptr + aOff }, { ...b, ptr: b.ptr + bOff }, cs, s === 0 && accumulate, this.local.buffers);
      if (call === null) throw new Error('ThreadedWasmGemm.gemmSplitK: empty slice');
      jobs.push([OP_GEMM, ...call]);
    }
    this.runJobs(jobs);
    return jobs.length;
  }

  /**
   * {@link WasmGemm.im2col} split by image over the threads (each batch slice reads its own images
   * and writes its own rows of `cols`); small batches run on the calling thread.
   */
  im2col(...args: Im2colCall): void {
    this.byImage(OP_IM2COL, args);
  }

  /** {@link WasmGemm.col2im} split by image over the threads (each slice adds into its own images). */
  col2im(...args: Im2colCall): void {
    this.byImage(OP_COL2IM, args);
  }

  /**
   * {@link WasmGemm.fewChannelFilterGrad} split by image: at most `maxSlices` (and
   * `threads * slabsPerThread`) slices, slice `s` accumulating into its own block at
   * `acc + s * accBytes` (the caller zeroes them and sums the returned count of blocks).
   */
  fewChannelFilterGrad(ci: number, nv: number, call: FewChannelFilterGradCall, accBytes: number, maxSlices: number): number {
    if (this.disposed) throw new Error('ThreadedWasmGemm: called after dispose()');
    const [x, dy, n, h, w, ho, wo, co, kh, kw, pt, pl, acc, xs] = call;
    const slices = Math.min(MAX_SLABS, maxSlices, this.threads * this.opts.slabsPerThread, n);
    if (this.threads < 2 || slices < 2 || 2 * n * ho * wo * kh * kw * ci * co < this.opts.minParallelFlops) {
      return this.local.fewChannelFilterGrad(ci, nv, call, accBytes, 1);
    }
    const part = Math.ceil(n / slices);
    const jobs: number[][] = [];
    for (let b0 = 0; b0 < n; b0 += part) {
      const nb = Math.min(part, n - b0);
      const s = jobs.length;
      jobs.push([OP_FILTER_GRAD, ci, nv, x + b0 * h * w * xs, dy + b0 * ho * wo * co * 4, nb, h, w, ho, wo, co, kh, kw, pt, pl, acc + s * accBytes, xs]);
    }
    this.runJobs(jobs);
    return jobs.length;
  }

  /**
   * {@link WasmGemm.sgdMomentum} split into contiguous ranges of a multiple of 16 floats, one per
   * thread (the step is memory-bound: more slabs only add hand-offs); below
   * {@link SGD_MOMENTUM_MIN_PARALLEL} floats the calling thread does it all.
   */
  sgdMomentum(...call: SgdMomentumCall): void {
    if (this.disposed) throw new Error('ThreadedWasmGemm: called after dispose()');
    const [v, a, g, oa, ov, n, lrBits, mBits] = call;
    if (this.threads < 2 || n < SGD_MOMENTUM_MIN_PARALLEL) {
      this.local.sgdMomentum(...call);
      return;
    }
    const part = Math.ceil(n / this.threads / 16) * 16;
    const jobs: number[][] = [];
    for (let i0 = 0; i0 < n; i0 += part) {
      const o = i0 * 4;
      jobs.push([OP_SGD_MOMENTUM, v + o, a + o, g + o, oa + o, ov + o, Math.min(part, n - i0), lrBits, mBits]);
    }
    this.runJobs(jobs);
  }

  /**
   * {@link WasmGemm.sgdMomentumReg} split as {@link sgdMomentum} splits (at most
   * {@link MAX_SLABS} slices), slice `s` writing its `sum |v|` at `call[10] + 4 s`; returns the
   * number of slices.
   */
  sgdMomentumReg(...call: SgdMomentumRegCall): number {
    if (this.disposed) throw new Error('ThreadedWasmGemm: called after dispose()');
    const [v, a, g, oa, ov, n, lrBits, mBits, l1Bits, decayBits, sumOut] = call;
    if (this.threads < 2 || n < SGD_MOMENTUM_MIN_PARALLEL) return this.local.sgdMomentumReg(...call);
    const part = Math.max(Math.ceil(n / this.threads / 16) * 16, Math.ceil(n / MAX_SLABS / 16) * 16);
    const jobs: number[][] = [];
    for (let i0 = 0; i0 < n; i0 += part) {
      const o = i0 * 4;
      jobs.push([OP_SGD_MOMENTUM_REG, v + o, a + o, g + o, oa + o, ov + o, Math.min(part, n - i0), lrBits, mBits, l1Bits, decayBits, sumOut + 4 * jobs.length]);
    }
    this.runJobs(jobs);
    return jobs.length;
  }

  /**
   * {@link WasmGemm.maxPoolGrad} split by image into one contiguous run of images per thread
   * (each image's dx depends on its own x, dy, y only: no partial sums, bit-identical to one
   * pass); below {@link MAX_POOL_GRAD_MIN_PARALLEL} window-channel pairs the caller does it all.
   */
  maxPoolGrad(...call: MaxPoolGradCall): void {
    if (this.disposed) throw new Error('ThreadedWasmGemm: called after dispose()');
    const [x, g, y, dx, nb, h, w, c, ho, wo, ...rest] = call;
    const slices = Math.min(MAX_SLABS, this.threads, nb);
    if (slices < 2 || nb * ho * wo * c < MAX_POOL_GRAD_MIN_PARALLEL) {
      this.local.maxPoolGrad(...call);
      return;
    }
    const part = Math.ceil(nb / slices);
    const xImg = h * w * c * 4;
    const yImg = ho * wo * c * 4;
    const jobs: number[][] = [];
    for (let b0 = 0; b0 < nb; b0 += part) {
      jobs.push([OP_MAX_POOL_GRAD, x + b0 * xImg, g + b0 * yImg, y + b0 * yImg, dx + b0 * xImg, Math.min(part, nb - b0), h, w, c, ho, wo, ...rest]);
    }
    this.runJobs(jobs);
  }

  /**
   * Independent products (e.g. the 16 of a Winograd convolution), one job each, taken by the
   * threads dynamically (no product is split: each runs whole on one thread with that thread's
   * packing buffers); fewer than 2 products or too few FLOPs in all run on the calling thread.
   */
  gemmBatch(products: readonly GemmProduct[]): void {
    if (this.disposed) throw new Error('ThreadedWasmGemm.gemmBatch: called after dispose()');
    const flops = products.reduce((s, p) => s + 2 * p.m * p.n * p.k, 0);
    if (this.threads < 2 || products.length < 2 || flops < this.opts.minParallelFlops) {
      this.local.gemmBatch(products);
      return;
    }
    const jobs: number[][] = [];
    for (let i = 0; i < products.length; i += MAX_SLABS) {
      jobs.length = 0;
      for (const p of products.slice(i, i + MAX_SLABS)) {
        const call = this.local.plan(p.m, p.n, p.k, p.a, p.b, p.c, p.accumulate ?? false, this.local.buffers);
        if (call !== null) jobs.push([OP_GEMM, ...call]);
        else if (p.k === 0 && p.accumulate !== true) this.local.zero(p.m, p.n, p.c);
      }
      this.runJobs(jobs);
    }
  }

  /**
   * {@link WasmGemm.winogradTiles} split by image into one contiguous run of images per thread
   * slab (tiles of different images are independent; bit-identical to one pass).
   */
  winogradTiles(name: WinogradTileExport, ...call: WinogradTileCall): void {
    if (this.disposed) throw new Error('ThreadedWasmGemm: called after dispose()');
    const [src, nb, h, w, c, th, tw, dst, ms, pad, ts, cs] = call;
    const slabs = Math.min(MAX_SLABS, this.threads * this.opts.slabsPerThread, nb);
    if (this.threads < 2 || slabs < 2 || nb * th * tw * c < this.opts.minParallelFlops / 64) {
      this.local.winogradTiles(name, ...call);
      return;
    }
    const part = Math.ceil(nb / slabs);
    const imageBytes = h * w * cs * 4;
    const tileBytes = th * tw * ts;
    const readsImage = parseTileExport(name).kind !== 'output';
    const jobs: number[][] = [];
    for (let b0 = 0; b0 < nb; b0 += part) {
      const image = b0 * imageBytes;
      const tiles = b0 * tileBytes;
      jobs.push([OP_WINOGRAD_TILES, WINOGRAD_TILE_EXPORTS.indexOf(name), src + (readsImage ? image : tiles), Math.min(part, nb - b0), h, w, c, th, tw, dst + (readsImage ? tiles : image), ms, pad, ts, cs]);
    }
    this.runJobs(jobs);
  }

  /**
   * {@link WasmGemm.winogradFilter} split into one contiguous range of `(ci, co)` pairs (a multiple
   * of 4) per thread; below {@link WINOGRAD_FILTER_MIN_PARALLEL} pairs the caller does it all.
   */
  winogradFilter(name: WinogradFilterExport, ...call: WinogradFilterCall): void {
    if (this.disposed) throw new Error('ThreadedWasmGemm: called after dispose()');
    const [src, count, dst, stride] = call;
    if (this.threads < 2 || count < WINOGRAD_FILTER_MIN_PARALLEL) {
      this.local.winogradFilter(name, ...call);
      return;
    }
    const part = Math.ceil(count / this.threads / 4) * 4;
    const jobs: number[][] = [];
    for (let i0 = 0; i0 < count; i0 += part) {
      jobs.push([OP_WINOGRAD_FILTER, WINOGRAD_FILTER_EXPORTS.indexOf(name), src + i0 * 4, Math.min(part, count - i0), dst + i0 * 4, stride]);
    }
    this.runJobs(jobs);
  }

  /**
   * An elementwise kernel of `channel-kernels.ts` split into one contiguous run per thread: of
   * rows for the channel kernels (`[rows, c]` operands; the per-channel vectors are shared), of
   * elements (a multiple of 4) for the unary ones. Below {@link CHANNEL_MIN_PARALLEL} elements
   * the caller does it all. Bit-identical to one pass.
   */
  channel(name: ChannelExport, ...call: ChannelCall): void {
    if (this.disposed) throw new Error('ThreadedWasmGemm: called after dispose()');
    const unary = isUnary(name);
    const map2 = isBinaryMap(name);
    const norm = name === 'chanNorm';
    const spread = name === 'poolSpread';
    const rows = unary ? call[2] : map2 ? call[3] : norm ? call[5] : call[3];
    // elements per row (of the output for poolSpread: kh rows of wo kw pixels)
    const c = unary || map2 ? 1 : norm ? call[6] : spread ? call[3] * call[4] * call[5] * call[6] : call[4];
    if (this.threads < 2 || rows * c < CHANNEL_MIN_PARALLEL) {
      this.local.channel(name, ...call);
      return;
    }
    const unit = unary || map2 ? 4 : 1;
    const part = Math.ceil(rows / this.threads / unit) * unit;
    const index = CHANNEL_EXPORTS.indexOf(name);
    const jobs: number[][] = [];
    for (let r0 = 0; r0 < rows; r0 += part) {
      const count = Math.min(part, rows - r0);
      const o = r0 * c * 4;
      const [p0, p1, p2, p3, p4, p5, p6, p7] = call;
      let args: ChannelCall;
      if (unary) args = [p0 + o, p1 + o, count, 0, 0, 0, 0, 0];
      else if (map2) args = [p0 + o, p1 + o, p2 + o, count, 0, 0, 0, 0];
      else if (norm) args = [p0 + o, p1, p2, p3, p4 + o, count, p6, 0];
      else if (spread) args = [p0 + r0 * p3 * p4 * 4, p1 + o, count, p3, p4, p5, p6, p7];
      else args = [p0 + o, p1, p2 + o, count, p4, 0, 0, 0];
      jobs.push([OP_CHANNEL, index, ...args]);
    }
    this.runJobs(jobs);
  }

  /**
   * {@link WasmGemm.directConv} split by image into at most `threads * slabsPerThread` runs of
   * images that the threads take dynamically (each image's output depends on its own input only:
   * bit-identical to one pass); below `minParallelFlops` (`2 nb ho wo kh kw ci co`) the caller
   * does it all.
   */
  directConv(nv: number, ...call: DirectConvCall): void {
    if (this.disposed) throw new Error('ThreadedWasmGemm: called after dispose()');
    const [x, wp, out, nb, h, w, ci, ho, wo, co, kh, kw, pt, pl, relu, ldo] = call;
    const slices = Math.min(MAX_SLABS, this.threads * this.opts.slabsPerThread, nb);
    if (this.threads < 2 || slices < 2 || 2 * nb * ho * wo * kh * kw * ci * co < this.opts.minParallelFlops) {
      this.local.directConv(nv, ...call);
      return;
    }
    const part = Math.ceil(nb / slices);
    const jobs: number[][] = [];
    for (let b0 = 0; b0 < nb; b0 += part) {
      jobs.push([OP_DIRECT_CONV, nv, x + b0 * h * w * ci * 4, wp, out + b0 * ho * wo * ldo * 4, Math.min(part, nb - b0), h, w, ci, ho, wo, co, kh, kw, pt, pl, relu, ldo]);
    }
    this.runJobs(jobs);
  }

  /**
   * {@link WasmGemm.pool} split by image into one contiguous run of images per thread (images are
   * independent: bit-identical to one pass); below {@link MAX_POOL_GRAD_MIN_PARALLEL} output
   * values the caller does it all.
   */
  pool(...call: PoolCall): void {
    if (this.disposed) throw new Error('ThreadedWasmGemm: called after dispose()');
    const [x, y, nb, h, w, c, ho, wo, ...rest] = call;
    const slices = Math.min(MAX_SLABS, this.threads, nb);
    if (slices < 2 || nb * ho * wo * c < MAX_POOL_GRAD_MIN_PARALLEL) {
      this.local.pool(...call);
      return;
    }
    const part = Math.ceil(nb / slices);
    const jobs: number[][] = [];
    for (let b0 = 0; b0 < nb; b0 += part) {
      jobs.push([OP_POOL, x + b0 * h * w * c * 4, y + b0 * ho * wo * c * 4, Math.min(part, nb - b0), h, w, c, ho, wo, ...rest]);
    }
    this.runJobs(jobs);
  }

  private byImage(op: number, args: Im2colCall): void {
    if (this.disposed) throw new Error('ThreadedWasmGemm: called after dispose()');
    const [x, n, h, w, c, kh, kw, sh, sw, pt, pl, ho, wo, cols] = args;
    const slabs = Math.min(MAX_SLABS, this.threads * this.opts.slabsPerThread, n);
    if (this.threads < 2 || slabs < 2 || n * ho * wo * kh * kw * c < this.opts.minParallelFlops / 8) {
      (op === OP_IM2COL ? this.local.im2col : this.local.col2im).apply(this.local, args);
      return;
    }
    const part = Math.ceil(n / slabs);
    const jobs: number[][] = [];
    for (let b0 = 0; b0 < n; b0 += part) {
      const nb = Math.min(part, n - b0);
      jobs.push([op, x + b0 * h * w * c * 4, nb, h, w, c, kh, kw, sh, sw, pt, pl, ho, wo, cols + b0 * ho * wo * kh * kw * c * 4]);
    }
    this.runJobs(jobs);
  }

  /** Publishes `jobs` (op + arguments), takes a share on this thread, waits for the workers. */
  private runJobs(jobs: number[][]): void {
    const ctrl = this.ctrl;
    jobs.forEach((job, i) => ctrl.set(job, TABLE_AT + i * ARGS));
    const count = jobs.length;
    ctrl[2] = count;
    Atomics.store(ctrl, 1, 0);
    this.seq = (this.seq + 1) & 0x3fffffff;
    Atomics.store(ctrl, 0, this.seq);
    Atomics.notify(ctrl, 0);
    const ex = this.local.exports;
    for (let s = Atomics.add(ctrl, 1, 1); s < count; s = Atomics.add(ctrl, 1, 1)) {
      const job = jobs[s]!;
      const args = job.slice(1);
      if (job[0] === OP_GEMM) ex.gemm(...(args as GemmCall));
      else if (job[0] === OP_IM2COL) ex.im2col(...(args as Im2colCall));
      else if (job[0] === OP_SGD_MOMENTUM) this.local.sgdMomentum(...(args as SgdMomentumCall));
      else if (job[0] === OP_SGD_MOMENTUM_REG) this.local.sgdMomentumReg(...(args as SgdMomentumRegCall));
      else if (job[0] === OP_MAX_POOL_GRAD) this.local.maxPoolGrad(...(args as MaxPoolGradCall));
      else if (job[0] === OP_FILTER_GRAD) this.local.fewChannelFilterGrad(args[0]!, args[1]!, args.slice(2) as FewChannelFilterGradCall, 0, 1);
      else if (job[0] === OP_WINOGRAD_TILES) this.local.winogradTiles(WINOGRAD_TILE_EXPORTS[args[0]!]!, ...(args.slice(1) as WinogradTileCall));
      else if (job[0] === OP_CHANNEL) this.local.channel(CHANNEL_EXPORTS[args[0]!]!, ...(args.slice(1) as ChannelCall));
      else if (job[0] === OP_WINOGRAD_FILTER) this.local.winogradFilter(WINOGRAD_FILTER_EXPORTS[args[0]!]!, ...(args.slice(1) as WinogradFilterCall));
      else if (job[0] === OP_POOL) this.local.pool(...(args as PoolCall));
      else if (job[0] === OP_DIRECT_CONV) this.local.directConv(args[0]!, ...(args.slice(1) as DirectConvCall));
      else ex.col2im(...(args as Im2colCall));
    }
    // A worker that died cannot be noticed here (its 'exit' event needs the event loop), hence the deadline.
    const deadline = Date.now() + this.opts.timeoutMs;
    for (let t = 1; t < this.threads; t++) {
      for (;;) {
        const done = Atomics.load(ctrl, DONE_AT + t);
        if (done === this.seq) break;
        if (Date.now() > deadline) throw new Error(`ThreadedWasmGemm: worker ${t} did not finish within ${this.opts.timeoutMs} ms`);
        if (this.opts.canBlock) Atomics.wait(ctrl, DONE_AT + t, done, 1000);
      }
    }
  }

  /** Stops the workers (their packing buffers stay allocated in the heap). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.ctrl, 0, -1);
    Atomics.notify(this.ctrl, 0);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Worker start-up data (posted once). */
export interface GemmWorkerData extends GemmBuffers {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrl: SharedArrayBuffer;
  spin: number;
  t: number;
}

/** Starts one worker running {@link workerLoopSource}; resolves once it posted 'ready'. */
export type SpawnGemmWorker = (data: GemmWorkerData, onError: (message: string) => void) => Promise<{ terminate(): unknown }>;

/**
 * Starts a {@link ThreadedWasmGemm} on a shared `memory` with workers from `spawn` (throws naming
 * the option when `memory` is not shared: a non-threaded tfjs wasm build has an unshared heap, use
 * {@link createWasmGemm} there). `label` names the caller in errors.
 */
export async function startThreadedGemm(
  label: string,
  memory: WebAssembly.Memory,
  options: ThreadedGemmOptions,
  spawn: SpawnGemmWorker,
  canBlock: boolean,
): Promise<ThreadedWasmGemm> {
  const threads = options.threads ?? 2;
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new Error(`${label}: option 'threads' must be an integer in [1, 64]; got ${String(threads)}`);
  }
  if (threads > 1 && !isSharedMemory(memory)) {
    throw new Error(`${label}: 'memory' must be shared (the threaded wasm build's heap) for threads > 1`);
  }
  if (threads > DONE_AT + 64 || threads > TABLE_AT - DONE_AT) throw new Error(`${label}: too many threads`);
  const slabsPerThread = options.slabsPerThread ?? 2;
  if (!Number.isInteger(slabsPerThread) || slabsPerThread < 1 || slabsPerThread > 16) {
    throw new Error(`${label}: option 'slabsPerThread' must be an integer in [1, 16]; got ${String(slabsPerThread)}`);
  }
  const spin = options.spin ?? 20000;
  const local = createWasmGemm(memory, options);
  const ctrl = new Int32Array(new SharedArrayBuffer(CTRL_INTS * 4));
  const workers: { terminate(): unknown }[] = [];
  const failures: string[] = [];
  for (let t = 1; t < threads; t++) {
    const buffers = local.allocateBuffers();
    workers.push(await spawn({ module: local.module, memory, ctrl: ctrl.buffer as SharedArrayBuffer, spin, t, ...buffers }, (m) => failures.push(`worker ${t}: ${m}`)));
  }
  return new ThreadedWasmGemm(local, workers, ctrl, {
    minParallelFlops: options.minParallelFlops ?? 2e6,
    timeoutMs: options.timeoutMs ?? 600_000,
    slabsPerThread,
    failures,
    canBlock,
  });
}

