import { backend_util, broadcastTo, div, reshape, scalar, util } from '@tensorflow/tfjs-core';
import type { NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import { installWasmOnlyGradient } from './wasm-only-gradient';

/**
 * The `Mean` gradient as one broadcast of a small tensor:
 *
 *   dx[i] = dy[reduced(i)] / R        (R = number of reduced elements)
 *
 * divided while `dy` is small, then broadcast to `x`'s shape (`Tile`, on wasm a copy of the
 * repeated block, see `tile.ts`). tfjs-core's gradient computes `dy * ones(x.shape) / R`: a full
 * `Fill`, a full `Multiply` and a full `RealDiv`; batch norm in training runs two `Mean`s per layer
 * (`tf.moments`), so ResNet-18 pays 40 of these per step. The values are identical: `dy * 1` is
 * `dy`, and the one division per element is the same division.
 */
export function broadcastMeanGrad(dy: Tensor, saved: Tensor[], attrs: NamedAttrMap): { x: () => Tensor } | null {
  const [x] = saved;
  if (x === undefined) return null;
  const axis = (attrs as { axis?: number | number[] | null }).axis;
  const axes = util.parseAxisParam(axis ?? x.shape.map((_, i) => i), x.shape); // null: all axes
  const reduceSize = util.sizeFromShape(backend_util.computeOutAndReduceShapes(x.shape, axes)[1]);
  const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return { x: () => broadcastTo(div(reshape(dy, expanded), scalar(reduceSize)), x.shape) };
}

/**
 * Replaces tfjs-core's `Mean` gradient by {@link broadcastMeanGrad} while the active backend is
 * `wasm` ({@link installWasmOnlyGradient}). Returns whether it is installed.
 */
export function installBroadcastMeanGrad(): boolean {
  return installWasmOnlyGradient('Mean', broadcastMeanGrad);
}
