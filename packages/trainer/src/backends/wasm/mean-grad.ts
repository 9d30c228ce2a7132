import { backend_util, broadcastTo, div, getBackend, getGradient, registerGradient, reshape, scalar, util } from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';

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

let installed = false;

/**
 * Replaces tfjs-core's registered `Mean` gradient by {@link broadcastMeanGrad} while the active
 * backend is `wasm` (other backends keep tfjs-core's). Does nothing when no `Mean` gradient is
 * registered yet; idempotent. Returns whether it is installed.
 */
export function installBroadcastMeanGrad(): boolean {
  if (installed) return true;
  const stock: GradConfig | undefined = getGradient('Mean');
  if (stock === undefined) return false;
  registerGradient({
    ...stock,
    gradFunc: (dy, saved, attrs) => {
      const lean = getBackend() === 'wasm' && !Array.isArray(dy) ? broadcastMeanGrad(dy, saved, attrs) : null;
      return lean ?? stock.gradFunc(dy, saved, attrs);
    },
  });
  installed = true;
  return true;
}
