import { z } from 'zod';
import { isCheckpointStore, type CheckpointStore } from '../loop/checkpoint';
import { train as trainWithStore } from '../loop/train';
import type { TrainOptions } from '../loop/train-options';
import type { TrainResult } from '../loop/types';
import { parseOptions } from '../loop/validate';
import { fsCheckpointStore } from './fs-checkpoint-store';

/** Options of `@regstudy/trainer/node`'s {@link train}: those of the main entry's, plus `checkpoint: { dir }`. */
export type NodeTrainOptions = Omit<TrainOptions, 'checkpoint'> & {
  /**
   * A {@link CheckpointStore}, or `{ dir }`: a directory checkpoint ({@link fsCheckpointStore}),
   * created when missing; a run restarted with the same `dir` resumes after its last saved epoch.
   */
  checkpoint?: CheckpointStore | { dir: string };
};

const dirSchema = z.strictObject({ dir: z.string().min(1) });

/**
 * `train()` of the main entry for Node: the same loop, where `checkpoint: { dir }` stands for
 * `fsCheckpointStore(dir)` (the main entry takes only a {@link CheckpointStore}, so that it never
 * loads Node's file system).
 */
export async function train(options: NodeTrainOptions): Promise<TrainResult> {
  const checkpoint = options.checkpoint;
  if (checkpoint === undefined || isCheckpointStore(checkpoint)) return trainWithStore(options as TrainOptions);
  const { dir } = parseOptions(dirSchema, checkpoint, 'train options.checkpoint');
  return trainWithStore({ ...options, checkpoint: fsCheckpointStore(dir) });
}
