import { mixSeed, mulberry32 } from '../internal/seeded-random';

/** Arithmetic mean; NaN for an empty list. */
export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
}

/** Sample standard deviation `sqrt(sum (x - mean)^2 / (n - 1))`; 0 for n = 1, NaN for n = 0. */
export function std(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  if (xs.length === 1) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** The q-quantile (0..1) of sorted values, linear interpolation between order statistics. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * `resamples` bootstrap means of `xs`: each draws `xs.length` indices with `pick(n)` (uniform in
 * {0..n-1}) and averages the values drawn.
 */
function resampledMeans(xs: readonly number[], resamples: number, pick: (n: number) => number): number[] {
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += xs[pick(xs.length)]!;
    means.push(s / xs.length);
  }
  return means;
}

export interface BootstrapCI {
  /** Observed difference mean(a) - mean(b). */
  estimate: number;
  lower: number;
  upper: number;
  /** 'paired' when a[i] and b[i] share seed i, else 'unpaired'. */
  kind: 'paired' | 'unpaired';
  resamples: number;
}

/**
 * Percentile bootstrap CI of `mean(a) - mean(b)`. Paired (resample indices i, statistic
 * mean(a_i - b_i)) when `paired`, else each group resampled independently. Seeded, so the same
 * inputs give the same interval. `level` defaults to 0.95.
 */
export function bootstrapDiffCI(
  a: readonly number[],
  b: readonly number[],
  opts: { paired: boolean; resamples?: number; seed?: number; level?: number },
): BootstrapCI {
  const resamples = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  const rng = mulberry32(mixSeed(opts.seed ?? 0, a.length, b.length, 0xb007));
  const pick = (n: number) => rng.int(n);
  const stats: number[] = [];
  if (opts.paired) {
    if (a.length !== b.length) throw new RangeError('bootstrapDiffCI: paired samples need equal lengths');
    stats.push(...resampledMeans(a.map((x, i) => x - b[i]!), resamples, pick));
  } else {
    for (let r = 0; r < resamples; r++) {
      let sa = 0;
      let sb = 0;
      for (let i = 0; i < a.length; i++) sa += a[pick(a.length)]!;
      for (let i = 0; i < b.length; i++) sb += b[pick(b.length)]!;
      stats.push(sa / a.length - sb / b.length);
    }
  }
  stats.sort((x, y) => x - y);
  const alpha = (1 - level) / 2;
  return {
    estimate: mean(a) - mean(b),
    lower: quantileSorted(stats, alpha),
    upper: quantileSorted(stats, 1 - alpha),
    kind: opts.paired ? 'paired' : 'unpaired',
    resamples,
  };
}

/** A mean with its percentile bootstrap interval. */
export interface MeanCI {
  mean: number;
  lower: number;
  upper: number;
  resamples: number;
}

/**
 * Percentile bootstrap CI of `mean(xs)`: `resamples` times, draw `xs.length` values with
 * replacement and take their mean; the interval is the `(1 - level) / 2` and `(1 + level) / 2`
 * quantiles of those means (Efron & Tibshirani 1993, ch. 13). Seeded, so the same inputs give
 * the same interval; one value gives the point interval, none gives NaNs. `level` defaults to 0.95.
 */
export function bootstrapMeanCI(xs: readonly number[], opts: { resamples?: number; seed?: number; level?: number } = {}): MeanCI {
  const resamples = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  if (xs.length === 0) return { mean: Number.NaN, lower: Number.NaN, upper: Number.NaN, resamples };
  const rng = mulberry32(mixSeed(opts.seed ?? 0, xs.length, 0x5eed));
  const stats = resampledMeans(xs, resamples, (n) => rng.int(n));
  stats.sort((x, y) => x - y);
  const alpha = (1 - level) / 2;
  return { mean: mean(xs), lower: quantileSorted(stats, alpha), upper: quantileSorted(stats, 1 - alpha), resamples };
}
