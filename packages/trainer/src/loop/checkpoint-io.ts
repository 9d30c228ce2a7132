import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { CheckpointState, SavedTensor } from './checkpoint';
import type { EpochRecord } from './types';

async function save(name: string, t: tf.Tensor): Promise<SavedTensor> {
  const dtype = t.dtype === 'int32' ? 'int32' : 'float32';
  const data = dtype === 'int32' ? Int32Array.from(await t.data()) : Float32Array.from(await t.data());
  return { name, shape: [...t.shape], dtype, data };
}

/** Captures model weights, optimizer slots, RNG state and history after `epoch`. */
export async function snapshot(
  epoch: number,
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  optimizerKind: string,
  seed: number,
  history: EpochRecord[],
): Promise<CheckpointState> {
  const weights = await Promise.all(model.weights.map((w) => save(w.originalName, w.read())));
  const named = await optimizer.getWeights();
  const slots = await Promise.all(named.map((n) => save(n.name, n.tensor)));
  // The first entry ('iter') is a fresh scalar; the rest are the optimizer's live variables.
  named[0]?.tensor.dispose();
  return {
    version: 1,
    epoch,
    weights,
    optimizer: slots,
    optimizerKind,
    rng: { seed, nextEpoch: epoch + 1 },
    history: structuredClone(history),
  };
}

/** Loads a checkpoint into a freshly built model and optimizer; throws naming any mismatch. */
export async function restoreCheckpoint(
  state: CheckpointState,
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  optimizerKind: string,
  seed: number,
): Promise<void> {
  if (state.version !== 1) throw new Error(`checkpoint: unsupported version ${String(state.version)}`);
  if (state.optimizerKind !== optimizerKind) {
    throw new Error(`checkpoint: saved with optimizer '${state.optimizerKind}', options.optimizer.kind is '${optimizerKind}'`);
  }
  if (state.rng.seed !== seed) throw new Error(`checkpoint: saved with seed ${state.rng.seed}, options.seed is ${seed}`);
  const vars = model.weights;
  if (vars.length !== state.weights.length) {
    throw new Error(`checkpoint: has ${state.weights.length} weights, the model has ${vars.length}`);
  }
  const tensors = state.weights.map((w, i) => {
    const expected = vars[i]!.shape;
    if (expected.length !== w.shape.length || expected.some((d, k) => d !== w.shape[k])) {
      throw new Error(`checkpoint: weight ${i} (${w.name}) has shape [${w.shape}], the model's is [${expected}]`);
    }
    return tf.tensor(w.data, w.shape, w.dtype);
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
  const slots = state.optimizer.map((s) => ({ name: s.name, tensor: tf.tensor(s.data, s.shape, s.dtype) }));
  await optimizer.setWeights(slots);
  tf.dispose(slots.map((s) => s.tensor));
}
