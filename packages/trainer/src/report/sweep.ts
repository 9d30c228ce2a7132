import { bestOf } from '../loop/types';
import type { RunResult } from './read-results';
import { bootstrapDiffCI, bootstrapMeanCI, type BootstrapCI } from './stats';

/**
 * Which line of a sweep a setting belongs to: `L1` (L1 > 0, L2 = 0), `L2` (L1 = 0, L2 > 0),
 * `elastic` (L1 = L2 > 0), `none` (both 0: the lambda = 0 point every line starts from) and
 * `other` (L1 != L2, both > 0: in the table, not on a line).
 */
export type SweepPenalty = 'none' | 'L1' | 'L2' | 'elastic' | 'other';

/** The quantities a sweep reports per run. */
export const sweepMetrics = ['bestValAccuracy', 'gap', 'fractionNearZero', 'l1Norm', 'l2Norm'] as const;
export type SweepMetric = (typeof sweepMetrics)[number];

/** Human titles of {@link sweepMetrics} (figure panels, table headers). */
export const sweepMetricTitles: Record<SweepMetric, string> = {
  bestValAccuracy: 'best val accuracy',
  gap: 'train - val accuracy at best epoch',
  fractionNearZero: 'final fraction of weights near zero',
  l1Norm: 'final L1 norm sum|w|',
  l2Norm: 'final L2 norm sqrt(sum w^2)',
};

/** One quantity of one setting over its seeds. */
export interface SweepCell {
  /** Per seed, in the order of {@link SweepPoint.seeds} (runs without the quantity left out). */
  values: number[];
  mean: number;
  /** Percentile bootstrap 95% CI of the mean (the band of the figure); the point for one seed. */
  lower: number;
  upper: number;
  /** Bootstrap 95% CI of mean(this) - mean(lambda = 0), paired by seed when the seeds match; null for lambda = 0 or fewer than 2 values on a side. */
  diff: BootstrapCI | null;
  /** Whether {@link diff}'s interval excludes 0 (null without a CI). */
  excludesZero: boolean | null;
}

/** One (L1, L2) setting of a model's sweep. */
export interface SweepPoint {
  model: string;
  penalty: SweepPenalty;
  /** The x of the figure: L1 for `L1`/`elastic`/`other`, L2 for `L2`, 0 for `none`. */
  lambda: number;
  l1: number;
  l2: number;
  seeds: number[];
  metrics: Record<SweepMetric, SweepCell>;
}

/** A model's sweep: every setting, the lambda = 0 one first, then by penalty and lambda. */
export interface ModelSweep {
  model: string;
  /** The lines drawn (`L1`, `L2`, and `elastic` when L1 = L2 > 0 settings exist). */
  penalties: SweepPenalty[];
  points: SweepPoint[];
}

/** Options of {@link buildSweeps}. */
export interface SweepOptions {
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
  /** Bootstrap RNG seed (default 0). */
  seed?: number;
}

const penaltyOf = (l1: number, l2: number): SweepPenalty =>
  l1 === 0 && l2 === 0 ? 'none' : l2 === 0 ? 'L1' : l1 === 0 ? 'L2' : l1 === l2 ? 'elastic' : 'other';

const order: Record<SweepPenalty, number> = { none: 0, L1: 1, L2: 2, elastic: 3, other: 4 };

/** One run's value of every sweep quantity; NaN where the run did not record it (no weightStats). */
export function runSweepValues(run: RunResult): Record<SweepMetric, number> {
  const best = bestOf(run.history);
  const last = run.history[run.history.length - 1]?.weightStats?.total;
  return {
    bestValAccuracy: best ? best.valAccuracy : Number.NaN,
    gap: best ? best.trainAccuracy - best.valAccuracy : Number.NaN,
    fractionNearZero: last ? last.fractionNearZero : Number.NaN,
    l1Norm: last ? last.l1 : Number.NaN,
    l2Norm: last ? last.l2 : Number.NaN,
  };
}

/** Whether the runs of a model span more than two values of L1 or of L2 (then a sweep is drawn). */
export function isSweep(runs: readonly RunResult[]): boolean {
  const l1 = new Set(runs.map((r) => r.config.regularization.l1));
  const l2 = new Set(runs.map((r) => r.config.regularization.l2));
  return l1.size > 2 || l2.size > 2;
}

/**
 * The lambda sweeps of a study: for every model whose runs span more than two values of L1 or
 * L2 (see {@link isSweep}), per (L1, L2) setting and quantity ({@link sweepMetrics}) the mean
 * over seeds with a bootstrap 95% CI, and the bootstrap 95% CI of the difference to the
 * lambda = 0 setting. Best val accuracy and the gap (train minus val accuracy, both at the epoch
 * of best val accuracy) come from each run's history; near-zero fraction and norms from the last
 * epoch's `weightStats.total`. Runs with no epoch are left out. Pure: reads nothing.
 */
export function buildSweeps(runs: readonly RunResult[], opts: SweepOptions = {}): ModelSweep[] {
  const boot = { resamples: opts.resamples ?? 2000, seed: opts.seed ?? 0 };
  const models = [...new Set(runs.map((r) => r.config.model))];
  const out: ModelSweep[] = [];
  for (const model of models) {
    const mine = runs.filter((r) => r.config.model === model && r.history.length > 0);
    if (!isSweep(mine)) continue;
    const groups = new Map<string, RunResult[]>();
    for (const run of [...mine].sort((a, b) => a.config.seed - b.config.seed)) {
      const { l1, l2 } = run.config.regularization;
      const key = `${l1}/${l2}`;
      groups.set(key, [...(groups.get(key) ?? []), run]);
    }
    const valuesOf = (group: readonly RunResult[]) => group.map((r) => ({ seed: r.config.seed, v: runSweepValues(r) }));
    const baseline = groups.get('0/0');
    const baseValues = baseline ? valuesOf(baseline) : null;
    const points: SweepPoint[] = [...groups.values()].map((group) => {
      const { l1, l2 } = group[0]!.config.regularization;
      const penalty = penaltyOf(l1, l2);
      const vals = valuesOf(group);
      const metrics = {} as Record<SweepMetric, SweepCell>;
      for (const m of sweepMetrics) {
        const mineBySeed = new Map(vals.filter((x) => Number.isFinite(x.v[m])).map((x) => [x.seed, x.v[m]]));
        const values = [...mineBySeed.values()];
        const ci = bootstrapMeanCI(values, boot);
        let diff: BootstrapCI | null = null;
        if (penalty !== 'none' && baseValues) {
          const baseBySeed = new Map(baseValues.filter((x) => Number.isFinite(x.v[m])).map((x) => [x.seed, x.v[m]]));
          if (mineBySeed.size > 1 && baseBySeed.size > 1) {
            const shared = [...mineBySeed.keys()].filter((s) => baseBySeed.has(s));
            const paired = shared.length === mineBySeed.size && shared.length === baseBySeed.size;
            diff = paired
              ? bootstrapDiffCI(shared.map((s) => mineBySeed.get(s)!), shared.map((s) => baseBySeed.get(s)!), { paired: true, ...boot })
              : bootstrapDiffCI(values, [...baseBySeed.values()], { paired: false, ...boot });
          }
        }
        metrics[m] = {
          values,
          mean: ci.mean,
          lower: ci.lower,
          upper: ci.upper,
          diff,
          excludesZero: diff ? diff.lower > 0 || diff.upper < 0 : null,
        };
      }
      return { model, penalty, lambda: penalty === 'L2' ? l2 : l1, l1, l2, seeds: group.map((r) => r.config.seed), metrics };
    });
    points.sort((a, b) => order[a.penalty] - order[b.penalty] || a.lambda - b.lambda || a.l2 - b.l2);
    const penalties = (['L1', 'L2', 'elastic'] as const).filter((p) => points.some((x) => x.penalty === p));
    out.push({ model, penalties, points });
  }
  return out;
}

const fmt = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : '');
const signed = (x: number, digits: number) => `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(digits)}`;
/** Digits per quantity: accuracies and fractions 4, norms 2. */
const digitsOf = (m: SweepMetric) => (m === 'l1Norm' || m === 'l2Norm' ? 2 : 4);
const lambdaText = (x: number) => (x === 0 ? '0' : x.toExponential().replace('e+', 'e'));

/**
 * The sweep table of one model as header and string cells: per setting, each quantity's mean
 * [95% CI] and its difference to lambda = 0 [95% CI], the latter marked `*` when the CI excludes 0.
 */
export function sweepTableCells(sweep: ModelSweep): { header: string[]; rows: string[][] } {
  const header = ['Penalty', 'L1', 'L2', 'Seeds'];
  for (const m of sweepMetrics) header.push(`${sweepMetricTitles[m]} [95% CI]`, `Δ vs λ = 0 [95% CI]`);
  const rows = sweep.points.map((p) => {
    const cells = [p.penalty, lambdaText(p.l1), lambdaText(p.l2), String(p.seeds.length)];
    for (const m of sweepMetrics) {
      const c = p.metrics[m];
      const d = digitsOf(m);
      cells.push(c.values.length ? `${fmt(c.mean, d)} [${fmt(c.lower, d)}, ${fmt(c.upper, d)}]` : '');
      cells.push(c.diff ? `${signed(c.diff.estimate, d)} [${signed(c.diff.lower, d)}, ${signed(c.diff.upper, d)}]${c.excludesZero ? ' *' : ''}` : '');
    }
    return cells;
  });
  return { header, rows };
}

/** GitHub-flavoured Markdown of {@link sweepTableCells}. */
export function sweepToMarkdown(sweep: ModelSweep): string {
  const { header, rows } = sweepTableCells(sweep);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line), '', '`*`: the 95% CI of the difference to λ = 0 excludes 0.'].join('\n');
}

const csvCell = (v: string | number | boolean | null | undefined) => {
  const s = v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Columns of {@link sweepsToCsv}, in order. */
export const sweepCsvColumns = [
  'model', 'penalty', 'lambda', 'l1', 'l2', 'n', 'seeds', 'metric', 'mean', 'ci_low', 'ci_high', 'diff_vs_lambda0', 'diff_ci_low', 'diff_ci_high', 'diff_excludes_zero',
] as const;

/** Long-format CSV of every sweep: one line per model x setting x quantity, full precision. */
export function sweepsToCsv(sweeps: readonly ModelSweep[]): string {
  const lines = sweeps.flatMap((s) =>
    s.points.flatMap((p) =>
      sweepMetrics.map((m) => {
        const c = p.metrics[m];
        return [
          p.model, p.penalty, p.lambda, p.l1, p.l2, c.values.length, p.seeds.join(' '), m, c.mean, c.lower, c.upper,
          c.diff?.estimate, c.diff?.lower, c.diff?.upper, c.excludesZero,
        ].map(csvCell).join(',');
      }),
    ),
  );
  return `${[sweepCsvColumns.join(','), ...lines].join('\n')}\n`;
}
