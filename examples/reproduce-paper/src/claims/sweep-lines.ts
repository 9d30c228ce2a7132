/**
 * Per-lambda statements of the claims on a lambda sweep: along each line of the trainer report's
 * sweep (L1 alone, L2 alone, elastic), a quantity's mean over seeds at every lambda against its
 * mean at lambda = 0, with percentile bootstrap 95% CIs (the trainer report's `bootstrapMeanCI`
 * and `bootstrapDiffCI`; Efron & Tibshirani 1993, ch. 13), and one sentence per line.
 */
import { bootstrapDiffCI, bootstrapMeanCI, type BootstrapCI, type MeanCI, type ModelSweep, type SweepPenalty } from '@regstudy/trainer/report';
import { paperModelTitles, type PaperModel } from '../paper/tables';

/** Bootstrap of the per-lambda CIs: the trainer report's defaults (2000 resamples, seed 0). */
export const SWEEP_BOOTSTRAP = { resamples: 2000, seed: 0 } as const;

/** The penalties a sweep draws as lines. */
export type LinePenalty = Extract<SweepPenalty, 'L1' | 'L2' | 'elastic'>;

/**
 * Where a difference's 95% CI lies: `lower` (entirely below 0), `higher` (entirely above 0),
 * `unresolved` (contains 0), or null when there is no CI (one seed on a side).
 */
export type Direction = 'lower' | 'higher' | 'unresolved' | null;

/** One quantity at one lambda against lambda = 0. */
export interface LambdaComparison {
  lambda: number;
  l1: number;
  l2: number;
  seeds: number;
  baselineSeeds: number;
  /** Mean over seeds with its bootstrap 95% CI. */
  mean: MeanCI;
  /** The same at lambda = 0. */
  baseline: MeanCI;
  /** Bootstrap 95% CI of mean - baseline mean (paired by seed when the seeds match); null with fewer than 2 seeds on a side. */
  diff: BootstrapCI | null;
  direction: Direction;
}

/** One line of a model's sweep for one quantity, with its sentence. */
export interface SweepLine {
  model: string;
  penalty: LinePenalty;
  /** The quantity compared, in words (e.g. "train accuracy at the best epoch"). */
  quantity: string;
  /** By increasing lambda, lambda = 0 left out. */
  points: LambdaComparison[];
  /** e.g. "New Model, L1: train accuracy at the best epoch lower than at λ = 0 at λ = 1e-3 (-0.1000 [-0.1200, -0.0800]); CI contains 0 at λ = 1e-5 (...)". */
  statement: string;
}

const lam = (x: number): string => (x === 0 ? '0' : x.toExponential().replace('e+', 'e'));
const signed = (x: number): string => `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(4)}`;
const title = (model: string): string => paperModelTitles[model as PaperModel] ?? model;

/** Where `ci` lies relative to 0 (see {@link Direction}). */
export function directionOf(ci: BootstrapCI | null): Direction {
  if (!ci) return null;
  return ci.upper < 0 ? 'lower' : ci.lower > 0 ? 'higher' : 'unresolved';
}

/**
 * Per-seed values of one setting against lambda = 0's (both keyed by seed): each mean with its
 * bootstrap 95% CI, and the CI of the difference of the means, paired by seed when both have the
 * same seeds, else the two groups resampled independently; no difference CI unless both sides
 * have more than one seed.
 */
export function compareSeeds(values: ReadonlyMap<number, number>, baseline: ReadonlyMap<number, number>): Pick<LambdaComparison, 'seeds' | 'baselineSeeds' | 'mean' | 'baseline' | 'diff' | 'direction'> {
  const a = [...values.values()];
  const b = [...baseline.values()];
  let diff: BootstrapCI | null = null;
  if (values.size > 1 && baseline.size > 1) {
    const shared = [...values.keys()].filter((k) => baseline.has(k));
    diff =
      shared.length === values.size && shared.length === baseline.size
        ? bootstrapDiffCI(shared.map((k) => values.get(k)!), shared.map((k) => baseline.get(k)!), { paired: true, ...SWEEP_BOOTSTRAP })
        : bootstrapDiffCI(a, b, { paired: false, ...SWEEP_BOOTSTRAP });
  }
  return { seeds: values.size, baselineSeeds: baseline.size, mean: bootstrapMeanCI(a, SWEEP_BOOTSTRAP), baseline: bootstrapMeanCI(b, SWEEP_BOOTSTRAP), diff, direction: directionOf(diff) };
}

/** A difference as `+0.0100 [-0.0200, +0.0400]`. */
export function diffText(ci: BootstrapCI): string {
  return `${signed(ci.estimate)} [${signed(ci.lower)}, ${signed(ci.upper)}]`;
}

/** A mean as `0.4000 [0.3800, 0.4200]`. */
export function meanText(m: MeanCI): string {
  return `${m.mean.toFixed(4)} [${m.lower.toFixed(4)}, ${m.upper.toFixed(4)}]`;
}

/**
 * The sentence of a line: at which lambdas the 95% CI of the difference to lambda = 0 lies below
 * 0, above 0, contains 0, or is missing (one seed), each with the difference and its CI.
 */
export function lineStatement(model: string, penalty: LinePenalty, quantity: string, points: readonly LambdaComparison[]): string {
  const at = (ps: readonly LambdaComparison[]): string => ps.map((p) => `λ = ${lam(p.lambda)}${p.diff ? ` (${diffText(p.diff)})` : ''}`).join(', ');
  const group = (d: Direction) => points.filter((p) => p.direction === d);
  const parts = [
    group('lower').length ? `lower than at λ = 0 at ${at(group('lower'))}` : '',
    group('higher').length ? `higher than at λ = 0 at ${at(group('higher'))}` : '',
    group('unresolved').length ? `95% CI of the difference contains 0 at ${at(group('unresolved'))}` : '',
    group(null).length ? `no CI (one seed) at ${at(group(null))}` : '',
  ].filter(Boolean);
  return `${title(model)}, ${penalty}: ${quantity} ${parts.join('; ')}`;
}

/** A model's sweep points of one line, by increasing lambda. */
export function linePoints(sweep: ModelSweep, penalty: LinePenalty): ModelSweep['points'] {
  return sweep.points.filter((p) => p.penalty === penalty).sort((a, b) => a.lambda - b.lambda);
}

/** Claim 4's lines: best val accuracy per lambda against lambda = 0, as the trainer report's sweep has it. */
export function bestValAccuracyLines(sweeps: readonly ModelSweep[]): SweepLine[] {
  const quantity = 'best val accuracy';
  const out: SweepLine[] = [];
  for (const s of sweeps) {
    const zero = s.points.find((p) => p.penalty === 'none');
    if (!zero) continue;
    const z = zero.metrics.bestValAccuracy;
    const baseline: MeanCI = { mean: z.mean, lower: z.lower, upper: z.upper, resamples: SWEEP_BOOTSTRAP.resamples };
    for (const penalty of s.penalties as LinePenalty[]) {
      const points = linePoints(s, penalty).map((p): LambdaComparison => {
        const c = p.metrics.bestValAccuracy;
        return {
          lambda: p.lambda,
          l1: p.l1,
          l2: p.l2,
          seeds: c.values.length,
          baselineSeeds: z.values.length,
          mean: { mean: c.mean, lower: c.lower, upper: c.upper, resamples: SWEEP_BOOTSTRAP.resamples },
          baseline,
          diff: c.diff,
          direction: directionOf(c.diff),
        };
      });
      out.push({ model: s.model, penalty, quantity, points, statement: lineStatement(s.model, penalty, quantity, points) });
    }
  }
  return out;
}
