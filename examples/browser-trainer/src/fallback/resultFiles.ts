// FALLBACK for @regstudy/trainer's result-file helpers (runIdOf, historyToCsv), not exported yet:
// the same file layout as the Node study's results/<runId>/{config,history,status}.json, history.csv.
import type { EpochRecord } from '@regstudy/trainer';

/** The study's run id: `<model>_l1-<l1>_l2-<l2>[_l2mode-penalty]_seed-<seed>`. */
export function fallbackRunId(model: string, reg: { l1: number; l2: number; l2Mode: string }, seed: number): string {
  const mode = reg.l2Mode !== 'weight-decay' ? `_l2mode-${reg.l2Mode}` : '';
  return `${model}_l1-${reg.l1}_l2-${reg.l2}${mode}_seed-${seed}`;
}

/** Columns of history.csv (weight columns from `weightStats.total`). */
export const fallbackCsvColumns = [
  'epoch',
  'trainLoss',
  'trainPenalty',
  'trainTotalLoss',
  'trainAccuracy',
  'valLoss',
  'valDataLoss',
  'valAccuracy',
  'learningRate',
  'epochSeconds',
  'imagesPerSecond',
  'weightL1',
  'weightL2',
  'weightMaxAbs',
  'weightFractionNearZero',
] as const;

/** Header + one line per epoch; empty cells for absent weight stats. */
export function fallbackHistoryCsv(history: readonly EpochRecord[]): string {
  const lines: string[] = [fallbackCsvColumns.join(',')];
  for (const r of history) {
    const w = r.weightStats?.total;
    const cells = [
      r.epoch, r.trainLoss, r.trainPenalty, r.trainTotalLoss, r.trainAccuracy, r.valLoss, r.valDataLoss,
      r.valAccuracy, r.learningRate, r.epochSeconds, r.imagesPerSecond, w?.l1, w?.l2, w?.maxAbs, w?.fractionNearZero,
    ];
    lines.push(cells.map((c) => (c === undefined ? '' : String(c))).join(','));
  }
  return `${lines.join('\n')}\n`;
}
