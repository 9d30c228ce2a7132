// FALLBACK for @regstudy/trainer's result files (history.json, history.csv, config.json, status.json).
import type { EpochRecord, ResultFiles, RunStatus } from '../training/types';

/** The study's run id: `<model>_l1-<l1>_l2-<l2>_seed-<seed>`. */
export function fallbackRunId(model: string, l1: number, l2: number, seed: number): string {
  return `${model}_l1-${l1}_l2-${l2}_seed-${seed}`;
}

const columns = [
  'epoch',
  'trainLoss',
  'trainPenalty',
  'trainTotalLoss',
  'trainAccuracy',
  'valLoss',
  'valAccuracy',
  'learningRate',
  'epochSeconds',
  'imagesPerSecond',
] as const;

/** One header line, then one line per epoch; numbers as JS prints them. */
export function fallbackHistoryCsv(history: readonly EpochRecord[]): string {
  const lines = [columns.join(',')];
  for (const r of history) lines.push(columns.map((c) => String(r[c])).join(','));
  return `${lines.join('\n')}\n`;
}

export function fallbackResultFiles(opts: {
  runId: string;
  config: Record<string, unknown>;
  history: readonly EpochRecord[];
  status: RunStatus;
}): ResultFiles {
  const best = opts.history.reduce<EpochRecord | undefined>((b, r) => (!b || r.valAccuracy > b.valAccuracy ? r : b), undefined);
  return {
    runId: opts.runId,
    'config.json': `${JSON.stringify(opts.config, null, 2)}\n`,
    'history.json': `${JSON.stringify(opts.history, null, 2)}\n`,
    'history.csv': fallbackHistoryCsv(opts.history),
    'status.json': `${JSON.stringify(
      { status: opts.status, epochs: opts.history.length, best: best ? { valAccuracy: best.valAccuracy, epoch: best.epoch } : null },
      null,
      2,
    )}\n`,
  };
}
