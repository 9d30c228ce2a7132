import { fewChannelFilterGradName, type FewChannelFilterGrad } from '../codegen/few-channel-filter-grad-kernel';
import type { SgdMomentum, SgdMomentumCall, SgdMomentumReg, SgdMomentumRegCall } from '../codegen/sgd-momentum-kernel';
import type { MaxPoolGrad, MaxPoolGradCall } from '../codegen/max-pool-grad-kernel';
import type { WinogradFilter, WinogradFilterCall, WinogradFilterExport, WinogradTile, WinogradTileCall, WinogradTileExport } from '../codegen/winograd-kernels';
import type { ChannelCall, ChannelExport, ChannelKernel } from '../codegen/channel-kernels';
import { directConvName, type DirectConv, type DirectConvCall } from '../codegen/direct-conv-kernel';
import type { Pool, PoolCall } from '../codegen/pool-kernel';
import { gemmModuleBytes, relaxedSimdSupported, type MicroKernelShape } from '../codegen/gemm-kernels';

/** A row-major matrix operand in the wasm memory. */
export interface GemmOperand {
  /** Byte offset of element (0, 0) of the stored matrix (a multiple of 4). */
  ptr: number;
  /** Leading dimension: floats per stored row (>= the stored matrix's column count). */
  ld: number;
  /** Read the stored matrix transposed (A^T / B^T) instead of as is. */
  trans?: boolean;
}

/** Cache blocking (in elements) around the micro-kernel. */
export interface GemmBlocking {
  /** Depth of one packed block (A panel columns = B panel rows): sized so an MR x KC A panel plus a KC x NR B panel stay in L1. */
  kc: number;
  /** Rows of A per packed block (L2-resident); rounded up to a multiple of MR. */
  mc: number;
  /** Columns of B per packed block (L3-resident); rounded up to a multiple of NR. */
  nc: number;
  /**
   * Depth used instead of `kc` when `n <= narrowN` (fewer, deeper slices: C is re-read once per
   * slice, which matters when each A block meets few B panels; `[16384, 576] @ [576, 64]`: 33 -> 36
   * GFLOP/s with 768, while `1024^3` is 42 either way).
   */
  kcNarrow: number;
  /** See `kcNarrow`. */
  narrowN: number;
}

/** Options of {@link createWasmGemm}. */
export interface WasmGemmOptions {
  /**
   * Micro-kernel shape (default 2 x 16, k not unrolled: 8 v128 accumulators, measured fastest
   * under V8; `relaxed: true`, i.e. `f32x4.relaxed_madd` where the engine validates it: Node 20
   * with `--experimental-wasm-relaxed-simd` 43 -> 54 GFLOP/s on this Zen 4 core).
   */
  kernel?: Partial<MicroKernelShape>;
  /** Cache blocking (default kc 256, mc 120, nc 2048, kcNarrow 768 for n <= narrowN 256). */
  blocking?: Partial<GemmBlocking>;
  /** Workspace allocator in the same memory (e.g. the emscripten module's `_malloc`): returns a byte offset. */
  alloc: (bytes: number) => number;
}

/** The exports of the generated module (see `gemmFunctions`). */
export type GemmExports = GemmKernelExports &
  /** Winograd tile transforms (see `tileTransformFn`) and filter transforms (see `filterTransformFn`). */
  { readonly [K in WinogradTileExport]: WinogradTile } & { readonly [K in WinogradFilterExport]: WinogradFilter } &
  /** Elementwise kernels (see `channel-kernels.ts`). */
  { readonly [K in ChannelExport]: ChannelKernel };

/** The GEMM module's exports other than the Winograd transforms. */
export interface GemmKernelExports {
  packA(src: number, rs: number, cs: number, mc: number, kc: number, dst: number): void;
  packB(src: number, rs: number, cs: number, nc: number, kc: number, dst: number): void;
  macro(mc: number, nc: number, kc: number, pa: number, pb: number, c: number, ldc: number, accumulate: number, scratch: number): void;
  gemm(...args: GemmCall): void;
  im2col(...args: Im2colCall): void;
  col2im(...args: Im2colCall): void;
  /** `filterGrad<ci>x<nv>` variants (see `fewChannelFilterGradFn`). */
  [name: `filterGrad${number}x${number}`]: FewChannelFilterGrad;
  /** One momentum step (see `sgdMomentumFn`). */
  sgdMomentum: SgdMomentum;
  /** One momentum step with the L1 and coupled-decay terms (see `sgdMomentumRegFn`). */
  sgdMomentumReg: SgdMomentumReg;
  /** The first-occurrence max-pool gradient (see `maxPoolGradFn`). */
  maxPoolGrad: MaxPoolGrad;
  /** `directConv<nv>` variants (see `directConvFn`). */
  [name: `directConv${number}`]: DirectConv;
  /** Max / average pooling (see `poolFn`). */
  pool2d: Pool;
}

/** One product of a {@link WasmGemm.gemmBatch}: `C (+)= op(A) @ op(B)`. */
export interface GemmProduct {
  m: number;
  n: number;
  k: number;
  a: GemmOperand;
  b: GemmOperand;
  c: GemmOperand;
  accumulate?: boolean;
}

/**
 * Arguments of a `filterGrad<ci>x<nv>` export: `x, dy, nb, h, w, ho, wo, co, kh, kw, pt, pl, acc, xs`
 * (see `fewChannelFilterGradFn`).
 */
export type FewChannelFilterGradCall = Parameters<FewChannelFilterGrad>;

/**
 * Arguments of the module's `im2col` / `col2im`: `x, n, h, w, c, kh, kw, sh, sw, pt, pl, ho, wo,
 * cols` (`x` and `cols` byte offsets; NHWC `x` of `[n, h, w, c]`, `cols` of
 * `[n*ho*wo, kh*kw*c]`, stride `sh, sw`, top / left padding `pt, pl`).
 */
export type Im2colCall = [number, number, number, number, number, number, number, number, number, number, number, number, number, number];

/**
 * The 18 i32 arguments of the module's `gemm` export: `m, n, k, a, ars, acs, b, brs, bcs, c, ldc,
 * accumulate, pa, pb, scratch, KC, MC, NC` (pointers and strides in bytes).
 */
export type GemmCall = [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];

/** One thread's packing buffers (byte offsets in the memory). */
export interface GemmBuffers {
  pa: number;
  pb: number;
  scratch: number;
}

const DEFAULT_KERNEL: MicroKernelShape = { mr: 2, nr: 16, ku: 1, relaxed: true };
const DEFAULT_BLOCKING: GemmBlocking = { kc: 256, mc: 120, nc: 2048, kcNarrow: 768, narrowN: 256 };

const roundUp = (x: number, m: number): number => Math.ceil(x / m) * m;

/** `total` split into `ceil(total / max)` near-equal blocks, each rounded up to a multiple of `unit`. */
export const balancedBlock = (total: number, max: number, unit: number): number => roundUp(Math.ceil(total / Math.ceil(total / max)), unit);

/**
 * Our own SIMD128 single-precision GEMM, generated at run time and instantiated on an existing
 * `WebAssembly.Memory` (e.g. the tfjs wasm backend's heap), so it reads and writes tensors in place:
 *
 *   C[i, j] = (accumulate ? C[i, j] : 0) + sum_{p < k} op(A)[i, p] * op(B)[p, j]
 *
 * with `op(X) = X` or `X^T` per operand (`trans`), all row-major. Blocked as in Goto & van de Geijn
 * 2008 / BLIS: for each NC-column block of B and KC-deep slice, B is packed into NR-wide panels;
 * for each MC-row block of A, A is packed into MR-tall panels; the macro-kernel then sweeps the
 * MR x NR micro-tiles (see `gemmFunctions`). KC and MC are balanced per call (k = 576 with KC 256
 * runs 3 slices of 192, not 256 + 256 + 64). Heap growth needs no care here: the module imports
 * the memory object itself, so it always sees the current buffer; only JS typed-array views must
 * be re-taken after an allocation.
 */
export class WasmGemm {
  /** The module's exports. */
  readonly exports: GemmExports;
  /** This (calling) thread's packing buffers. */
  readonly buffers: GemmBuffers;

  constructor(
    instance: WebAssembly.Instance,
    /** Micro-kernel shape in use (relaxed only where the engine accepted it). */
    readonly kernel: MicroKernelShape,
    /** Blocking upper bounds (mc and nc multiples of MR / NR). */
    readonly blocking: GemmBlocking,
    /** The compiled module (to instantiate the same code in a worker on the same shared memory). */
    readonly module: WebAssembly.Module,
    private readonly alloc: (bytes: number) => number,
  ) {
    this.exports = instance.exports as unknown as GemmExports;
    this.buffers = this.allocateBuffers();
  }

  /** Packing buffers for one more thread, from the allocator (cache-line aligned). */
  allocateBuffers(): GemmBuffers {
    const { kernel: k, blocking: b } = this;
    const take = (bytes: number): number => {
      const p = this.alloc(bytes + 64);
      if (!Number.isInteger(p) || p <= 0) throw new Error(`WasmGemm: alloc(${bytes + 64}) returned ${p}`);
      return roundUp(p, 64);
    };
    const kcMax = Math.max(b.kc, b.kcNarrow);
    const pb = Math.max(b.nc * b.kc, roundUp(Math.min(b.narrowN, b.nc), k.nr) * kcMax);
    return { pa: take(b.mc * kcMax * 4), pb: take(pb * 4), scratch: take(k.mr * k.nr * 4) };
  }

  /**
   * The module `gemm` arguments for `C (+)= op(A) @ op(B)`, or null when there is nothing to
   * multiply (m, n or k is 0: see {@link WasmGemm.gemm}).
   */
  plan(m: number, n: number, k: number, a: GemmOperand, b: GemmOperand, c: GemmOperand, accumulate: boolean, buf: GemmBuffers): GemmCall | null {
    for (const [name, v] of [['m', m], ['n', n], ['k', k]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new Error(`WasmGemm.gemm: ${name} must be a non-negative integer; got ${v}`);
    }
    if (m === 0 || n === 0 || k === 0) return null;
    const { mr, nr } = this.kernel;
    const { mc: MC, nc: NC } = this.blocking;
    const KC = n <= this.blocking.narrowN ? this.blocking.kcNarrow : this.blocking.kc;
    // A(i, p) at a.ptr + i*ars + p*acs; B(p, j) at b.ptr + p*brs + j*bcs (bytes)
    const ars = a.trans ? 4 : a.ld * 4;
    const acs = a.trans ? a.ld * 4 : 4;
    const brs = b.trans ? 4 : b.ld * 4;
    const bcs = b.trans ? b.ld * 4 : 4;
    const kc = Math.ceil(k / Math.ceil(k / KC));
    const mc = Math.min(MC, balancedBlock(m, MC, mr));
    const nc = Math.min(NC, balancedBlock(n, NC, nr));
    return [m, n, k, a.ptr, ars, acs, b.ptr, brs, bcs, c.ptr, c.ld * 4, accumulate ? 1 : 0, buf.pa, buf.pb, buf.scratch, kc, mc, nc];
  }

  /**
   * `C = op(A) @ op(B)` (or `C += ...` with `accumulate`) for `op(A)` of shape `[m, k]` and `op(B)`
   * of shape `[k, n]`, on the calling thread; `c.trans` is ignored. FLOPs: `2 m n k`.
   */
  gemm(m: number, n: number, k: number, a: GemmOperand, b: GemmOperand, c: GemmOperand, accumulate = false): void {
    const call = this.plan(m, n, k, a, b, c, accumulate, this.buffers);
    if (call !== null) this.exports.gemm(...call);
    else if (k === 0 && !accumulate) this.zero(m, n, c);
  }

  /** `cols = im2col(x)` on the calling thread; see {@link Im2colCall}. */
  im2col(...args: Im2colCall): void {
    this.exports.im2col(...args);
  }

  /** `x += col2im(cols)` (the adjoint of {@link WasmGemm.im2col}) on the calling thread. */
  col2im(...args: Im2colCall): void {
    this.exports.col2im(...args);
  }

  /**
   * The few-channel filter gradient (`acc +=`, see `fewChannelFilterGradFn`) on the calling
   * thread, into the one accumulator block at `call[12]`; returns 1 (blocks written).
   */
  fewChannelFilterGrad(ci: number, nv: number, call: FewChannelFilterGradCall, _accBytes: number, _maxSlices: number): number {
    const name = fewChannelFilterGradName(ci, nv) as `filterGrad${number}x${number}`;
    const fn = this.exports[name];
    if (fn === undefined) throw new Error(`WasmGemm.fewChannelFilterGrad: the module has no export ${name} (ci must be in [1, 4], nv in [1, 8])`);
    fn(...call);
    return 1;
  }

  /** The fused momentum step (see `sgdMomentumFn`) over all `call[5]` floats on the calling thread. */
  sgdMomentum(...call: SgdMomentumCall): void {
    this.exports.sgdMomentum(...call);
  }

  /** The regularized momentum step (see `sgdMomentumRegFn`) over all `call[5]` floats on the calling thread; returns 1 (one partial sum). */
  sgdMomentumReg(...call: SgdMomentumRegCall): number {
    this.exports.sgdMomentumReg(...call);
    return 1;
  }

  /** The max-pool gradient (see `maxPoolGradFn`) of all `call[4]` images on the calling thread. */
  maxPoolGrad(...call: MaxPoolGradCall): void {
    this.exports.maxPoolGrad(...call);
  }

  /** Independent products one after the other on the calling thread (see {@link WasmGemm.gemm}). */
  gemmBatch(products: readonly GemmProduct[]): void {
    for (const p of products) this.gemm(p.m, p.n, p.k, p.a, p.b, p.c, p.accumulate ?? false);
  }

  /** A Winograd tile transform (see `tileTransformFn`) of all `call[1]` images on the calling thread. */
  winogradTiles(name: WinogradTileExport, ...call: WinogradTileCall): void {
    this.exports[name](...call);
  }

  /** Max / average pooling (see `poolFn`) of all `call[2]` images on the calling thread. */
  pool(...call: PoolCall): void {
    this.exports.pool2d(...call);
  }

  /** An elementwise kernel of `channel-kernels.ts` on the calling thread. */
  channel(name: ChannelExport, ...call: ChannelCall): void {
    this.exports[name](...call);
  }

  /** A Winograd filter transform (see `filterTransformFn`) on the calling thread. */
  winogradFilter(name: WinogradFilterExport, ...call: WinogradFilterCall): void {
    this.exports[name](...call);
  }

  /**
   * The few-channel direct convolution (see `directConvFn`) of all `call[3]` images with the
   * `nv = ceil(Co / 4)` variant on the calling thread.
   */
  directConv(nv: number, ...call: DirectConvCall): void {
    const name = directConvName(nv) as `directConv${number}`;
    const fn = this.exports[name];
    if (fn === undefined) throw new Error(`WasmGemm.directConv: the module has no export ${name} (nv must be in [1, 4])`);
    fn(...call);
  }

  /** `C[0:m, 0:n] = 0` through the macro-kernel with an empty depth (zero accumulators). */
  zero(m: number, n: number, c: GemmOperand): void {
    const { mc: MC, nc: NC } = this.blocking;
    const { pa, pb, scratch } = this.buffers;
    for (let jc = 0; jc < n; jc += NC) {
      for (let ic = 0; ic < m; ic += MC) {
        this.exports.macro(Math.min(MC, m - ic), Math.min(NC, n - jc), 0, pa, pb, c.ptr + (ic * c.ld + jc) * 4, c.ld * 4, 0, scratch);
      }
    }
  }
}

function resolve(options: WasmGemmOptions): { kernel: MicroKernelShape; blocking: GemmBlocking } {
  const kernel: MicroKernelShape = { ...DEFAULT_KERNEL, ...options.kernel };
  const b = { ...DEFAULT_BLOCKING, ...options.blocking };
  for (const [name, v] of Object.entries(b)) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`createWasmGemm: blocking.${name} must be a positive integer; got ${String(v)}`);
  }
  const blocking: GemmBlocking = { ...b, mc: roundUp(b.mc, kernel.mr), nc: roundUp(b.nc, kernel.nr) };
  return { kernel, blocking };
}

/** Whether `memory` is shared (its buffer a SharedArrayBuffer). */
export function isSharedMemory(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/**
 * The module bytes for `memory` (shared or not), with `kernel.relaxed` honoured only where the
 * engine validates relaxed SIMD.
 */
export function wasmGemmBytes(memory: WebAssembly.Memory, kernel: MicroKernelShape): { bytes: Uint8Array<ArrayBuffer>; kernel: MicroKernelShape } {
  const k = { ...kernel, relaxed: kernel.relaxed && relaxedSimdSupported() };
  const shared = isSharedMemory(memory);
  // Minimum 0 accepts any current size; a shared import must declare a maximum, 65536 pages
  // (4 GiB) is at least any wasm32 memory's maximum.
  const bytes = gemmModuleBytes(k, shared ? { shared: true, minimumPages: 0, maximumPages: 65536 } : { shared: false, minimumPages: 0 });
  return { bytes, kernel: k };
}

/**
 * Compiles and instantiates the GEMM on `memory` synchronously (fine in Node and in workers;
 * browsers' main threads refuse synchronous compiles over 4 KB: use {@link createWasmGemmAsync}).
 */
export function createWasmGemm(memory: WebAssembly.Memory, options: WasmGemmOptions): WasmGemm {
  const { kernel, blocking } = resolve(options);
  const built = wasmGemmBytes(memory, kernel);
  const module = new WebAssembly.Module(built.bytes);
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return new WasmGemm(instance, built.kernel, blocking, module, options.alloc);
}

/** {@link createWasmGemm}, compiled asynchronously. */
export async function createWasmGemmAsync(memory: WebAssembly.Memory, options: WasmGemmOptions): Promise<WasmGemm> {
  const { kernel, blocking } = resolve(options);
  const built = wasmGemmBytes(memory, kernel);
  const module = await WebAssembly.compile(built.bytes);
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return new WasmGemm(instance, built.kernel, blocking, module, options.alloc);
}
