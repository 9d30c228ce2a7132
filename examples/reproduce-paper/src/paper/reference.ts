import type { Reference } from '@regstudy/trainer/report';
import { findDisagreements, type Disagreement } from './disagreements';
import { loadOriginalRuns, type OriginalRun } from './original-runs';
import { paperTables, type PaperTable } from './tables';

/** The paper's numbers in the shape the trainer's report takes, plus what disagrees. */
export interface PaperReference {
  reference: Reference;
  disagreements: Disagreement[];
  tables: readonly PaperTable[];
  runs: OriginalRun[];
}

/**
 * Builds the report reference: per model the paper's table rows (train acc at the best epoch,
 * best val acc, its 1-based epoch) and the original per-epoch curves of every log with epochs.
 * A row that disagrees with its log carries a note listing the kinds of disagreement.
 * @param models only these models (default: the three of the paper)
 */
export function paperReference(models?: readonly string[], logsDir?: string): PaperReference {
  const runs = loadOriginalRuns(logsDir);
  const disagreements = findDisagreements(paperTables, runs);
  const wanted = (m: string): boolean => !models || models.includes(m);
  const reference: Reference = { source: 'paper & original logs', models: {} };
  for (const t of paperTables.filter((x) => wanted(x.model))) {
    const rows = t.rows.map((r) => {
      const kinds = disagreements.filter((d) => d.table === t.id && d.row?.l1 === r.l1 && d.row?.l2 === r.l2).map((d) => d.kind);
      return {
        l1: r.l1,
        l2: r.l2,
        trainAccuracy: r.trainAccuracy,
        valAccuracy: r.bestValAccuracy,
        epoch: r.bestEpoch,
        ...(kinds.length ? { note: `log disagrees: ${[...new Set(kinds)].join(', ')}` } : {}),
      };
    });
    const curves = runs
      .filter((run) => run.model === t.model && run.log.epochs.length > 0)
      .map((run) => ({
        l1: run.l1,
        l2: run.l2,
        history: run.log.epochs.map((e) => ({
          epoch: e.epoch,
          trainLoss: e.trainLoss,
          trainAccuracy: e.trainAccuracy,
          valLoss: e.valLoss,
          valAccuracy: e.valAccuracy,
        })),
      }));
    reference.models[t.model] = { rows, curves };
  }
  return { reference, disagreements, tables: paperTables, runs };
}
