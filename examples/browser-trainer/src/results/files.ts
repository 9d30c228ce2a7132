// The result files of one browser run, in the layout the Node study writes under results/<runId>/.
import {
  historyToCsv,
  runIdOf,
  type ResolvedOptimizerSpec,
  type ResolvedRegularizationSpec,
  type RunConfig,
  type RunStatus,
  type TrainResult,
} from '@regstudy/trainer';
import type { ResultFiles } from '../training/types';

export interface RunDescription {
  model: string;
  regularization: ResolvedRegularizationSpec;
  optimizer: ResolvedOptimizerSpec;
  seed: number;
  epochs: number;
  batchSize: number;
  numClasses: number;
  trainCount: number;
  valCount: number;
  /** extra facts about the browser run, stored under `config.json`'s `browser` key */
  browser: Record<string, unknown>;
}

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

/**
 * `config.json` (a study RunConfig plus `browser`), `history.json` (EpochRecord[]), `history.csv`
 * (@regstudy/trainer's historyToCsv) and `status.json` (a study RunStatus), named by runIdOf.
 */
export function resultFiles(run: RunDescription, result: TrainResult, now = new Date()): ResultFiles {
  const runId = runIdOf(run.model, run.regularization, run.seed);
  const config: RunConfig & { browser: Record<string, unknown> } = {
    runId,
    model: run.model,
    regularization: run.regularization,
    seed: run.seed,
    epochs: run.epochs,
    gridIndex: 0,
    batchSize: run.batchSize,
    optimizer: run.optimizer,
    numClasses: run.numClasses,
    trainCount: run.trainCount,
    valCount: run.valCount,
    browser: run.browser,
  };
  const status: RunStatus = {
    runId,
    status: result.status,
    epochsCompleted: result.history.length,
    best: result.best,
    ...(result.stoppedAt ? { stoppedAt: result.stoppedAt } : {}),
    updatedAt: now.toISOString(),
  };
  return {
    runId,
    'config.json': json(config),
    'history.json': json(result.history),
    'history.csv': historyToCsv(result.history),
    'status.json': json(status),
  };
}
