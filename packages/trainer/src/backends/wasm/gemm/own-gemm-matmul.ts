import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';
import { flagOn, OWN_GEMM_FLAG } from '../flags';
import type { GemmOperand } from './gemm';

/** What the matmul path needs of a GEMM: {@link WasmGemm} or {@link ThreadedWasmGemm}. */
export interface HeapGemm {
  gemm(m: number, n: number, k: number, a: GemmOperand, b: GemmOperand, c: GemmOperand, accumulate?: boolean): void;
}

/** The parts of tfjs-backend-wasm's `BackendWasm` this path uses. */
interface WasmTensorBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
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
  if (installed === null || installed.backend !== backend || !flagOn(OWN_GEMM_FLAG)) return null;
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
  // Offsets are taken after the allocation (which may grow the heap; offsets stay valid).
  const at = (t: TensorInfo): number => {
    const d = be.dataIdMap.get(t.dataId);
    if (d === undefined) throw new Error('ownGemmMatMul: a tensor is not in the wasm backend heap');
    return d.memoryOffset;
  };
  installed.gemm.gemm(m, n, k, { ptr: at(a), ld: a1, trans: transposeA }, { ptr: at(b), ld: b1, trans: transposeB }, { ptr: at(out), ld: n });
  return out;
}
