import type { _FusedMatMulAttrs, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { channelBinary, unaryMap } from './channel-ops';
import { flagOn, FUSED_MATMUL_FLAG } from '../flags';
import { ownGemmMatMul } from './own-gemm-matmul';
import type { KernelRunner } from '../runtime/kernel-runner';

/**
 * `_FusedMatMul` (a dense layer's forward pass where tfjs-core fuses it: a `linear` layer while
 * training, every layer in inference) as its three steps, in the order tfjs' cpu kernel computes
 * them:
 *
 *   y = act(op(A) @ op(B) + bias)
 *
 * The product runs on our GEMM (split over its threads; batched products on the stock
 * `BatchMatMul`), the bias add and relu on the generated per-channel / unary passes
 * (`channel-ops.ts`) where they take the shape, else on the stock `Add` and activation kernels
 * (`relu`, `relu6`, `elu`, `sigmoid`, `leakyrelu` with `leakyreluAlpha`, `prelu` with its weights).
 * The stock kernel (XNNPACK's fully-connected operator) was slower here (`[64,1000] @ [1000,200]`
 * + bias: 0.74 ms against 0.64, and its thread pool kept spinning after it returned, slowing the
 * next GEMM by ~0.5 ms; Initial's inference 1,248 -> 1,907 images/s side by side), takes
 * only a rank-1 bias, and in tfjs-backend-wasm 4.22 returns wrong values for `transposeA` with
 * `transposeB` and for batched products with a bias (see `test/wasm-own-gemm-kernel.test.ts`).
 * Null (the caller runs the stock kernel) with the flag `REGSTUDY_WASM_FUSED_MATMUL` off, or for
 * inputs that are not float32.
 */
export function ownFusedMatMul(r: KernelRunner, inputs: NamedTensorInfoMap, attrs: _FusedMatMulAttrs): TensorInfo | null {
  const { a, b, bias, preluActivationWeights } = inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const { transposeA, transposeB, activation, leakyreluAlpha } = attrs;
  if (!flagOn(FUSED_MATMUL_FLAG) || [a, b, bias, preluActivationWeights].some((t) => t !== undefined && t.dtype !== 'float32')) return null;
  let y = r.adopt(ownGemmMatMul(r.backend, a, b, transposeA, transposeB) ?? r.run('BatchMatMul', { a, b }, { transposeA, transposeB }));
  if (bias !== undefined) y = r.adopt(channelBinary(r.backend, 'Add', y, bias) ?? r.run('Add', { a: y, b: bias }));
  switch (activation) {
    case 'linear':
      break;
    case 'relu':
      y = r.adopt(unaryMap(r.backend, 'relu', y) ?? r.run('Relu', { x: y }));
      break;
    case 'relu6':
      y = r.run('Relu6', { x: y });
      break;
    case 'elu':
      y = r.run('Elu', { x: y });
      break;
    case 'sigmoid':
      y = r.run('Sigmoid', { x: y });
      break;
    case 'leakyrelu':
      y = r.run('LeakyRelu', { x: y }, { alpha: leakyreluAlpha ?? 0.2 });
      break;
    case 'prelu':
      if (preluActivationWeights === undefined) throw new Error("_FusedMatMul: activation 'prelu' needs preluActivationWeights");
      y = r.run('Prelu', { x: y, alpha: preluActivationWeights });
      break;
    default:
      return null;
  }
  return r.keep(y);
}
