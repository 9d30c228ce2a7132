import type { TopLevelSpec } from 'vega-lite';
import type { RunResult } from './read-results';
import { sweepMetrics, sweepMetricTitles, type ModelSweep, type SweepMetric } from './sweep';

/** Where lambda = 0 is drawn on the log axis: this many decades left of the smallest lambda > 0. */
const ZERO_DECADES = 1;
/** Padding of the x domain, decades on each side. */
const PAD_DECADES = 0.35;

/** One value of {@link sweepChartSpec}'s data. */
export interface SweepChartDatum {
  metric: string;
  penalty: string;
  lambda: number;
  /** Position on the log axis: `lambda`, or the stand-in left of the smallest lambda for lambda = 0. */
  x: number;
  mean: number;
  lower: number;
  upper: number;
  seeds: number;
}

/** The x positions of a sweep figure: the stand-in for lambda = 0 and the x domain. */
export function sweepAxis(lambdas: readonly number[]): { zeroAt: number; domain: [number, number]; ticks: number[] } {
  const positive = [...new Set(lambdas.filter((l) => l > 0))].sort((a, b) => a - b);
  const min = positive[0] ?? 1;
  const max = positive[positive.length - 1] ?? 1;
  const zeroAt = min / 10 ** ZERO_DECADES;
  return { zeroAt, domain: [zeroAt / 10 ** PAD_DECADES, max * 10 ** PAD_DECADES], ticks: [zeroAt, ...positive] };
}

/** The figure's data: per drawn setting (lambda = 0 once, then the `L1`/`L2`/`elastic` lines) and quantity. */
export function sweepChartData(sweep: ModelSweep): SweepChartDatum[] {
  const drawn = sweep.points.filter((p) => p.penalty !== 'other');
  const { zeroAt } = sweepAxis(drawn.map((p) => p.lambda));
  return drawn.flatMap((p) =>
    sweepMetrics
      .filter((m) => p.metrics[m].values.length > 0)
      .map((m: SweepMetric) => ({
        metric: sweepMetricTitles[m],
        penalty: p.penalty === 'none' ? 'λ = 0 (none)' : p.penalty,
        lambda: p.lambda,
        x: p.penalty === 'none' ? zeroAt : p.lambda,
        mean: p.metrics[m].mean,
        lower: p.metrics[m].lower,
        upper: p.metrics[m].upper,
        seeds: p.metrics[m].values.length,
      })),
  );
}

/**
 * A model's sweep figure: one panel per quantity, the mean over seeds against lambda on a log
 * axis with a band for the bootstrap 95% CI of the mean, one line per penalty (L1-only, L2-only,
 * elastic L1 = L2), each with its own marker shape so coinciding lines stay visible. lambda = 0
 * cannot sit on a log axis: it is drawn apart, one decade left of the smallest lambda, as a grey
 * point with its CI as a bar, labelled "0".
 */
export function sweepChartSpec(sweep: ModelSweep): TopLevelSpec {
  const values = sweepChartData(sweep);
  const { domain, ticks, zeroAt } = sweepAxis(values.map((v) => v.lambda));
  const isZero = `datum.x <= ${zeroAt * 1.0001}`;
  const line = { filter: `!(${isZero})` };
  const zero = { filter: isZero };
  const y = { type: 'quantitative' as const, title: null, scale: { zero: false } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${sweep.model}: lambda sweep (mean over seeds, band = bootstrap 95% CI)`,
    data: { values },
    facet: { field: 'metric', type: 'nominal', title: null, sort: sweepMetrics.map((m) => sweepMetricTitles[m]) },
    columns: 3,
    spec: {
      width: 250,
      height: 170,
      encoding: {
        x: {
          field: 'x',
          type: 'quantitative',
          title: 'λ (log scale; λ = 0 drawn apart at the left)',
          scale: { type: 'log', domain },
          axis: { values: ticks, labelExpr: `datum.value <= ${zeroAt * 1.0001} ? '0' : format(datum.value, '.0e')`, grid: false },
        },
      },
      layer: [
        { transform: [line], mark: { type: 'area', opacity: 0.18 }, encoding: { y: { field: 'lower', ...y }, y2: { field: 'upper' }, color: { field: 'penalty', type: 'nominal', title: 'penalty' } } },
        {
          transform: [line],
          mark: { type: 'line', point: { filled: false, size: 50 } },
          encoding: {
            y: { field: 'mean', ...y },
            color: { field: 'penalty', type: 'nominal', title: 'penalty' },
            shape: { field: 'penalty', type: 'nominal', title: 'penalty' },
            strokeDash: { field: 'penalty', type: 'nominal', title: 'penalty' },
          },
        },
        { transform: [zero], mark: { type: 'rule', color: '#555' }, encoding: { y: { field: 'lower', ...y }, y2: { field: 'upper' } } },
        { transform: [zero], mark: { type: 'point', filled: true, color: '#555', size: 50 }, encoding: { y: { field: 'mean', ...y } } },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** One value of {@link weightStatsChartSpec}: a weight statistic of one run at one epoch. */
export interface WeightStatsPoint {
  epoch: number;
  metric: string;
  setting: string;
  seed: number;
  value: number;
}

const settingLabel = (run: RunResult) => {
  const { model, seed } = run.config;
  return run.runId.slice(model.length + 1, run.runId.length - `_seed-${seed}`.length);
};

/** Per epoch: fraction of weights near zero, L1 norm and L2 norm of every run that recorded `weightStats`. */
export function weightStatsPoints(runs: readonly RunResult[]): WeightStatsPoint[] {
  const metrics = [
    ['fractionNearZero', 'fraction of weights near zero'],
    ['l1', 'L1 norm sum|w|'],
    ['l2', 'L2 norm sqrt(sum w^2)'],
  ] as const;
  return runs.flatMap((run) =>
    run.history.flatMap((e) => {
      const t = e.weightStats?.total;
      if (!t) return [];
      return metrics
        .map(([k, title]) => ({ epoch: e.epoch, metric: title, setting: settingLabel(run), seed: run.config.seed, value: t[k] }))
        .filter((p) => Number.isFinite(p.value));
    }),
  );
}

/**
 * Sparsity and norms over epochs for the runs of one model, overlaid by setting (colour and
 * marker shape, one line per seed); x spans the runs' own epochs. null when no run recorded
 * `weightStats`.
 */
export function weightStatsChartSpec(model: string, runs: readonly RunResult[]): TopLevelSpec | null {
  const values = weightStatsPoints(runs);
  if (!values.length) return null;
  const epochs = values.map((v) => v.epoch);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${model}: weights over epochs (near zero: |w| <= eps of weightStats)`,
    data: { values },
    facet: { column: { field: 'metric', type: 'nominal', title: null, sort: ['fraction of weights near zero', 'L1 norm sum|w|', 'L2 norm sqrt(sum w^2)'] } },
    spec: {
      width: 260,
      height: 190,
      mark: { type: 'line', point: { filled: false, size: 30 } },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', scale: { domain: [Math.min(...epochs), Math.max(...epochs)] }, axis: { tickMinStep: 1, format: 'd' } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'setting', type: 'nominal' },
        shape: { field: 'setting', type: 'nominal' },
        detail: { field: 'seed', type: 'nominal' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}
