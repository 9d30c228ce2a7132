import type { EpochRecord } from '../loop/types';

/** Columns of history.csv, in order (weight columns come from `weightStats.total`). */
export const historyCsvColumns = [
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

/** Serialises a history as CSV (header + one line per epoch; empty cells for absent stats). */
export function historyToCsv(history: readonly EpochRecord[]): string {
  const lines = [historyCsvColumns.join(',')];
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
