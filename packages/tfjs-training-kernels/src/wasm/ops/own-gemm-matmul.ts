import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';
import { flagOn, OWN_GEMM_FLAG } from '../flags';
import type { SgdMomentumCall, SgdMomentumRegCall } from '../codegen/sgd-momentum-kernel';
import type { MaxPoolGradCall } from '../codegen/max-pool-grad-kernel';
import type { DirectConvCall } from '../codegen/direct-conv-kernel';
import type { PoolCall } from '../codegen/pool-kernel';
import type { FewChannelFilterGradCall, GemmOperand, GemmProduct, Im2colCall } from '../runtime/gemm';
import type { ChannelCall, ChannelExport } from '../codegen/channel-kernels';
import type { WinogradFilterCall, WinogradFilterExport, WinogradTileCall, WinogradTileExport } from '../codegen/winograd-kernels';

/** What the matmul path needs of a GEMM: {@link WasmGemm} or {@link ThreadedWasmGemm}. */
export interface HeapGemm {
  gemm(m: number, n: number, k: number, a: GemmOperand, b: GemmOperand, c: GemmOperand, accumulate?: boolean): void;
  /**
   * `C (+)= op(A) @ op(B)` with `k` split over the threads, partial products of slices >= 1 at
   * `partial` (see {@link ThreadedWasmGemm.gemmSplitK}); returns the number of slices.
   */
  gemmSplitK?(m: number, n: number, k: number, a: GemmOperand, b: GemmOperand, c: GemmOperand, accumulate: boolean, partial: number, maxSlices: number): number;
  /** `cols = im2col(x)` (needed for the convolution gradients, see `own-gemm-conv.ts`). */
  im2col?(...args: Im2colCall): void;
  /** `x += col2im(cols)`. */
  col2im?(...args: Im2colCall): void;
  /** The fused momentum step (see `sgdMomentumFn`), split over the threads for large tensors. */
  sgdMomentum?(...call: SgdMomentumCall): void;
  /**
   * The regularized momentum step (see `sgdMomentumRegFn`), split over the threads for large
   * tensors, slice `s` writing its `sum |v|` at `call[10] + 4 s`; returns the number of slices.
   */
  sgdMomentumReg?(...call: SgdMomentumRegCall): number;
  /** The max-pool gradient (see `maxPoolGradFn`), split by image over the threads. */
  maxPoolGrad?(...call: MaxPoolGradCall): void;
  /**
   * The few-channel filter gradient split by image into at most `maxSlices` slices, slice `s`
   * accumulating into `call[12] + s * accBytes`; returns the number of slices (see `few-channel-filter-grad.ts`).
   */
  fewChannelFilterGrad?(ci: number, nv: number, call: FewChannelFilterGradCall, accBytes: number, maxSlices: number): number;
  /** Independent products, spread over the threads one product per job (see `winograd-conv.ts`). */
  gemmBatch?(products: readonly GemmProduct[]): void;
  /** A Winograd tile transform (see `tileTransformFn`), split by image over the threads. */
  winogradTiles?(name: WinogradTileExport, ...call: WinogradTileCall): void;
  /** A Winograd filter transform (see `filterTransformFn`), split by range over the threads. */
  winogradFilter?(name: WinogradFilterExport, ...call: WinogradFilterCall): void;
  /** An elementwise kernel of `channel-kernels.ts`, split by rows or ranges over the threads. */
  channel?(name: ChannelExport, ...call: ChannelCall): void;
  /** The few-channel direct convolution (see `directConvFn`), split by image over the threads. */
  directConv?(nv: number, ...call: DirectConvCall): void;
  /** Max / average pooling (see `poolFn`), split by image over the threads. */
  pool?(...call: PoolCall): void;
}

/** The parts of tfjs-backend-wasm's `BackendWasm` this path uses. */
export interface WasmTensorBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object): boolean;
}

/** The byte offset of a tensor's data in the wasm heap. */
export function heapOffset(backend: WasmTensorBackend, t: TensorInfo): number {
  const d = backend.dataIdMap.get(t.dataId);
  if (d === undefined) throw new Error('own GEMM: a tensor is not in the wasm backend heap');
  return d.memoryOffset;
}

/** The installed GEMM when it belongs to `backend` and the tfjs flag `REGSTUDY_WASM_OWN_GEMM` is on. */
export function activeOwnGemm(backend: unknown): HeapGemm | null {
  return installed !== null && installed.backend === backend && flagOn(OWN_GEMM_FLAG) ? installed.gemm : null;
}

let installed: { gemm: HeapGemm; backend: unknown } | null = null;

/**
 * Routes plain and transposed float32 `BatchMatMul`s of the wasm `backend` through `gemm` (our
 * generated SIMD128 GEMM on that backend's heap), while the tfjs flag `REGSTUDY_WASM_OWN_GEMM` is
 * on; `null` uninstalls. The GEMM must have been created on this backend's memory.
 */
export function installOwnGemm(gemm: HeapGemm | null, backend: unknown = null): void {
  installed = gemm === null ? null : { gemm, backend };
}

/** Whether a GEMM is installed for `backend` (whatever the flag). */
export function ownGemmInstalledFor(backend: unknown): boolean {
  return installed !== null && installed.backend === backend;
}

/** The installed GEMM, if any. */
export function ownGemm(): HeapGemm | null {
  return installed?.gemm ?? null;
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * `op(a) @ op(b)` for unbatched (leading dims all 1) float32 operands, written straight into a new
 * output in the heap by the installed GEMM (no transposes, no repacking by XNNPACK); `null` when
 * the flag is off, no GEMM is installed for this backend, or the operands do not qualify.
 */
export function ownGemmMatMul(backend: unknown, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo | null {
  const gemm = activeOwnGemm(backend);
  if (gemm === null) return null;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (size(a.shape.slice(0, -2)) !== 1 || size(b.shape.slice(0, -2)) !== 1) return null;
  const [a0, a1] = [a.shape[ra - 2]!, a.shape[ra - 1]!];
  const [b0, b1] = [b.shape[rb - 2]!, b.shape[rb - 1]!];
  const m = transposeA ? a1 : a0;
  const k = transposeA ? a0 : a1;
  const n = transposeB ? b0 : b1;
  if ((transposeB ? b1 : b0) !== k || m * n * k === 0) return null;
  const be = backend as WasmTensorBackend;
  const outShape = [...(ra >= rb ? a.shape : b.shape).slice(0, -2), m, n];
  const out = be.makeOutput(outShape, 'float32');
  const at = (t: TensorInfo): number => heapOffset(be, t);
  gemm.gemm(m, n, k, { ptr: at(a), ld: a1, trans: transposeA }, { ptr: at(b), ld: b1, trans: transposeB }, { ptr: at(out), ld: n });
  return out;
}
