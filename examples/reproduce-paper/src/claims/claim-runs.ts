/**
 * The runs the claims are checked on, in one shape for both sources: our study's result files
 * (read by the trainer's `readStudyResults`, with the bootstrap CIs of `buildReport`'s tables) and
 * the original per-epoch logs.
 */
import type { BootstrapCI, ModelTable, RunResult } from '@regstudy/trainer/report';
import type { OriginalRun } from '../paper/original-runs';

/** One epoch as the claims read it; `epoch` is 1-based, accuracies are fractions. */
export interface ClaimEpoch {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  /** The logged validation loss: for L1 runs it includes the L1 penalty (the paper's code and ours). */
  valLoss: number;
  valAccuracy: number;
}

/** One run: model, lambdas, seed and its per-epoch history. */
export interface ClaimRun {
  model: string;
  l1: number;
  l2: number;
  seed: number;
  /** What the reader can find it by: a run id or an original log's file name. */
  label: string;
  history: readonly ClaimEpoch[];
}

/**
 * The difference in best validation accuracy of one regularised setting to the unregularised one,
 * with the seed counts of both and the trainer report's bootstrap 95% CI (null unless both have
 * more than one seed).
 */
export interface SettingDifference {
  model: string;
  l1: number;
  l2: number;
  seeds: number;
  baselineSeeds: number;
  ci: BootstrapCI | null;
}

/** Our runs with at least one epoch, from the trainer's result reader. */
export function claimRunsFromResults(runs: readonly RunResult[]): ClaimRun[] {
  return runs
    .filter((r) => r.history.length > 0)
    .map((r) => ({
      model: r.config.model,
      l1: r.config.regularization.l1,
      l2: r.config.regularization.l2,
      seed: r.config.seed,
      label: r.runId,
      history: r.history.map((e) => ({ epoch: e.epoch, trainLoss: e.trainLoss, trainAccuracy: e.trainAccuracy, valLoss: e.valLoss, valAccuracy: e.valAccuracy })),
    }));
}

/** The original runs with at least one epoch (each ran once: seed 0). */
export function claimRunsFromOriginals(runs: readonly OriginalRun[]): ClaimRun[] {
  return runs
    .filter((r) => r.log.epochs.length > 0)
    .map((r) => ({ model: r.model, l1: r.l1, l2: r.l2, seed: 0, label: r.file, history: r.log.epochs }));
}

/** Every regularised row of the trainer report's tables against the unregularised row of its model. */
export function differencesFromTables(tables: readonly ModelTable[]): SettingDifference[] {
  const out: SettingDifference[] = [];
  for (const t of tables) {
    const base = t.rows.find((r) => r.l1 === 0 && r.l2 === 0);
    if (!base) continue;
    for (const r of t.rows) {
      if (r === base) continue;
      out.push({ model: t.model, l1: r.l1, l2: r.l2, seeds: r.seeds.length, baselineSeeds: base.seeds.length, ci: r.diffVsUnregularized });
    }
  }
  return out;
}

/** The same differences for runs without a report table (the original logs): seed counts, no CI. */
export function differencesFromRuns(runs: readonly ClaimRun[]): SettingDifference[] {
  const out: SettingDifference[] = [];
  const models = [...new Set(runs.map((r) => r.model))];
  for (const model of models) {
    const mine = runs.filter((r) => r.model === model);
    const baseline = mine.filter((r) => r.l1 === 0 && r.l2 === 0).length;
    if (!baseline) continue;
    const settings = new Map<string, { l1: number; l2: number; seeds: number }>();
    for (const r of mine) {
      if (r.l1 === 0 && r.l2 === 0) continue;
      const key = `${r.l1}/${r.l2}`;
      const s = settings.get(key) ?? { l1: r.l1, l2: r.l2, seeds: 0 };
      s.seeds += 1;
      settings.set(key, s);
    }
    for (const s of settings.values()) out.push({ model, l1: s.l1, l2: s.l2, seeds: s.seeds, baselineSeeds: baseline, ci: null });
  }
  return out;
}
