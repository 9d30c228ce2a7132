import { getBackend, getGradient, registerGradient } from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';

/** A gradient for one kernel, or `null` to fall back to tfjs-core's for this call. */
export type LeanGradient = (dy: Tensor, saved: Tensor[], attrs: NamedAttrMap) => Record<string, () => Tensor> | null;

const installed = new Set<string>();

/**
 * Replaces tfjs-core's registered gradient of `kernelName` by one that uses `lean` while the
 * active backend is `wasm`, and tfjs-core's own gradient otherwise (other backends are
 * unaffected) or when `lean` returns `null`. Does nothing when no gradient is registered yet
 * (tfjs-core's ESM entry registers none until `@tensorflow/tfjs-core/dist/register_all_gradients`
 * or tfjs-layers is imported); idempotent per kernel. Returns whether it is installed.
 */
export function installWasmOnlyGradient(kernelName: string, lean: LeanGradient): boolean {
  if (installed.has(kernelName)) return true;
  const stock: GradConfig | undefined = getGradient(kernelName);
  if (stock === undefined) return false;
  registerGradient({
    ...stock,
    gradFunc: (dy, saved, attrs) => {
      const ours = getBackend() === 'wasm' && !Array.isArray(dy) ? lean(dy, saved, attrs) : null;
      return ours ?? stock.gradFunc(dy, saved, attrs);
    },
  });
  installed.add(kernelName);
  return true;
}
