import { gemmModuleBytes, relaxedSimdSupported, type MicroKernelShape } from './gemm-kernels';

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
}

/** Options of {@link createWasmGemm}. */
export interface WasmGemmOptions {
  /** Micro-kernel shape (default 2 x 16, k not unrolled: 8 v128 accumulators, measured fastest under V8). */
  kernel?: Partial<MicroKernelShape>;
  /** Cache blocking (default kc 256, mc 120, nc 2048). */
  blocking?: Partial<GemmBlocking>;
  /** Workspace allocator in the same memory (e.g. the emscripten module's `_malloc`): returns a byte offset. */
  alloc: (bytes: number) => number;
}

/** The exports of the generated module. */
interface GemmExports {
  packA(src: number, rs: number, cs: number, mc: number, kc: number, dst: number): void;
  packB(src: number, rs: number, cs: number, nc: number, kc: number, dst: number): void;
  macro(mc: number, nc: number, kc: number, pa: number, pb: number, c: number, ldc: number, accumulate: number, scratch: number): void;
}

const DEFAULT_KERNEL: MicroKernelShape = { mr: 2, nr: 16, ku: 1, relaxed: false };
const DEFAULT_BLOCKING: GemmBlocking = { kc: 256, mc: 120, nc: 2048 };

const roundUp = (x: number, m: number): number => Math.ceil(x / m) * m;

/**
 * Our own SIMD128 single-precision GEMM, generated at run time and instantiated on an existing
 * `WebAssembly.Memory` (e.g. the tfjs wasm backend's heap), so it reads and writes tensors in place:
 *
 *   C[i, j] = (accumulate ? C[i, j] : 0) + sum_{p < k} op(A)[i, p] * op(B)[p, j]
 *
 * with `op(X) = X` or `X^T` per operand (`trans`), all row-major. Blocked as in Goto & van de Geijn
 * 2008 / BLIS: for each NC-column block of B and KC-deep slice, B is packed into NR-wide panels;
 * for each MC-row block of A, A is packed into MR-tall panels; the macro-kernel then sweeps the
 * MR x NR micro-tiles. Heap growth needs no care here: the module imports the memory object
 * itself, so it always sees the current buffer; only JS typed-array views must be re-taken.
 */
export class WasmGemm {
  /** Micro-kernel shape in use. */
  readonly kernel: MicroKernelShape;
  /** Blocking in use (mc and nc rounded to MR / NR multiples). */
  readonly blocking: GemmBlocking;
  private readonly ex: GemmExports;
  private readonly pa: number;
  private readonly pb: number;
  private readonly scratch: number;

  constructor(instance: WebAssembly.Instance, kernel: MicroKernelShape, blocking: GemmBlocking, alloc: (bytes: number) => number) {
    this.kernel = kernel;
    this.blocking = blocking;
    this.ex = instance.exports as unknown as GemmExports;
    const align = (p: number): number => {
      if (!Number.isInteger(p) || p <= 0) throw new Error(`WasmGemm: alloc returned ${p}`);
      return p;
    };
    // 64 extra bytes so each buffer can start on a cache line.
    const line = (p: number): number => roundUp(p, 64);
    this.pa = line(align(alloc(blocking.mc * blocking.kc * 4 + 64)));
    this.pb = line(align(alloc(blocking.nc * blocking.kc * 4 + 64)));
    this.scratch = line(align(alloc(kernel.mr * kernel.nr * 4 + 64)));
  }

  /**
   * `C = op(A) @ op(B)` (or `C += ...` with `accumulate`) for `op(A)` of shape `[m, k]` and `op(B)`
   * of shape `[k, n]`; `c.trans` is ignored. FLOPs: `2 m n k`.
   */
  gemm(m: number, n: number, k: number, a: GemmOperand, b: GemmOperand, c: GemmOperand, accumulate = false): void {
    for (const [name, v] of [['m', m], ['n', n], ['k', k]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new Error(`WasmGemm.gemm: ${name} must be a non-negative integer; got ${v}`);
    }
    if (m === 0 || n === 0) return;
    const { kc: KC, mc: MC, nc: NC } = this.blocking;
    const ex = this.ex;
    const ldc = c.ld * 4;
    // A(i, p) at a.ptr + i*ars + p*acs; B(p, j) at b.ptr + p*brs + j*bcs (bytes)
    const ars = a.trans ? 4 : a.ld * 4;
    const acs = a.trans ? a.ld * 4 : 4;
    const brs = b.trans ? 4 : b.ld * 4;
    const bcs = b.trans ? b.ld * 4 : 4;
    if (k === 0) {
      if (!accumulate) {
        // C = 0 through an empty product: kc = 0 gives zero accumulators.
        for (let jc = 0; jc < n; jc += NC) {
          const ncb = Math.min(NC, n - jc);
          for (let ic = 0; ic < m; ic += MC) ex.macro(Math.min(MC, m - ic), ncb, 0, this.pa, this.pb, c.ptr + ic * ldc + jc * 4, ldc, 0, this.scratch);
        }
      }
      return;
    }
    for (let jc = 0; jc < n; jc += NC) {
      const ncb = Math.min(NC, n - jc);
      for (let pc = 0; pc < k; pc += KC) {
        const kcb = Math.min(KC, k - pc);
        ex.packB(b.ptr + pc * brs + jc * bcs, bcs, brs, ncb, kcb, this.pb);
        for (let ic = 0; ic < m; ic += MC) {
          const mcb = Math.min(MC, m - ic);
          ex.packA(a.ptr + ic * ars + pc * acs, ars, acs, mcb, kcb, this.pa);
          ex.macro(mcb, ncb, kcb, this.pa, this.pb, c.ptr + ic * ldc + jc * 4, ldc, accumulate || pc > 0 ? 1 : 0, this.scratch);
        }
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
  const blocking: GemmBlocking = { kc: b.kc, mc: roundUp(b.mc, kernel.mr), nc: roundUp(b.nc, kernel.nr) };
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
  const instance = new WebAssembly.Instance(new WebAssembly.Module(built.bytes), { env: { memory } });
  return new WasmGemm(instance, built.kernel, blocking, options.alloc);
}

/** {@link createWasmGemm}, compiled asynchronously. */
export async function createWasmGemmAsync(memory: WebAssembly.Memory, options: WasmGemmOptions): Promise<WasmGemm> {
  const { kernel, blocking } = resolve(options);
  const built = wasmGemmBytes(memory, kernel);
  const { instance } = await WebAssembly.instantiate(built.bytes, { env: { memory } });
  return new WasmGemm(instance, built.kernel, blocking, options.alloc);
}
