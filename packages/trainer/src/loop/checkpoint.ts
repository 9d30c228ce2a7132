import type { EpochRecord } from './types';

/** A tensor's values, detached from any backend. */
export interface SavedTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

/** Everything needed to continue a run after `epoch` exactly as if it had never stopped. */
export interface CheckpointState {
  /** Format version of this object. */
  version: 1;
  /** Last completed epoch (1-based). */
  epoch: number;
  /** All model weights (trainable and not, e.g. batch-norm moving stats) in `model.weights` order. */
  weights: SavedTensor[];
  /** `optimizer.getWeights()` (iteration count first, then the slots, e.g. momentum). */
  optimizer: SavedTensor[];
  optimizerKind: string;
  /**
   * RNG state. Shuffling and dropout masks are pure functions of (seed, epoch, batch), so the seed
   * and the next epoch are the whole state.
   */
  rng: { seed: number; nextEpoch: number };
  history: EpochRecord[];
}

/** Where checkpoints live. `save` must be atomic: a crash leaves the previous complete one. */
export interface CheckpointStore {
  load(): Promise<CheckpointState | null>;
  save(state: CheckpointState): Promise<void>;
}

/** A store that keeps the latest checkpoint in memory (tests, browsers without storage). */
export function memoryCheckpointStore(): CheckpointStore & { latest: CheckpointState | null } {
  const store = {
    latest: null as CheckpointState | null,
    async load() {
      return store.latest === null ? null : structuredClone(store.latest);
    },
    async save(state: CheckpointState) {
      store.latest = structuredClone(state);
    },
  };
  return store;
}

/** True when `value` looks like a {@link CheckpointStore}. */
export function isCheckpointStore(value: unknown): value is CheckpointStore {
  const v = value as Partial<CheckpointStore> | null;
  return v != null && typeof v.load === 'function' && typeof v.save === 'function';
}
