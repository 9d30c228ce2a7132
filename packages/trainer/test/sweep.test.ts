import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EpochRecord, RunConfig, RunStatus } from '../src/index';
import {
  bootstrapMeanCI,
  buildReport,
  buildSweeps,
  isSweep,
  runChartSpec,
  sweepAxis,
  sweepChartData,
  sweepChartSpec,
  sweepsToCsv,
  weightStatsChartSpec,
  type RunResult,
} from '../src/report';

/** [train acc, val acc] per epoch; weights: [fractionNearZero, l1, l2] of every epoch, or none. */
function fakeRun(l1: number, l2: number, seed: number, curve: [number, number][], weights?: [number, number, number][]): RunResult {
  const model = 'initial';
  const runId = `${model}_l1-${l1}_l2-${l2}_seed-${seed}`;
  const config: RunConfig = {
    runId, model, seed, epochs: curve.length, gridIndex: 0, batchSize: 10, numClasses: 10, trainCount: 10, valCount: 10,
    regularization: { l1, l2, l2Mode: 'weight-decay', select: 'all', proximalL1: 0, decoupledDecay: 0 },
    optimizer: { kind: 'sgd', learningRate: 0.01, momentum: 0.9 },
  };
  const history: EpochRecord[] = curve.map(([tr, va], i) => ({
    epoch: i + 1, trainLoss: 2, trainPenalty: 0, trainTotalLoss: 2, trainAccuracy: tr, valLoss: 2, valDataLoss: 2, valAccuracy: va,
    learningRate: 0.01, epochSeconds: 1, imagesPerSecond: 10,
    ...(weights
      ? { weightStats: { eps: 1e-8, variables: [], layers: [], total: { count: 100, l1: weights[i]![1], l2: weights[i]![2], sumSquares: weights[i]![2] ** 2, maxAbs: 1, nearZero: weights[i]![0] * 100, fractionNearZero: weights[i]![0] } } }
      : {}),
  }));
  const status: RunStatus = { runId, status: 'completed', epochsCompleted: curve.length, best: null, updatedAt: 'x' };
  return { runId, config, status, history };
}

const w = (f: number, l1: number, l2: number): [number, number, number] => [f, l1, l2];

/** L1 in {0, 1e-5, 1e-4} (three values: a sweep), L2 in {0, 1e-4}; two seeds except L1 = 1e-4. */
const runs: RunResult[] = [
  // lambda = 0: best val 0.25 @2 (train 0.5, gap 0.25) and 0.3 @1 (train 0.4, gap 0.1)
  fakeRun(0, 0, 0, [[0.3, 0.2], [0.5, 0.25]], [w(0, 90, 9), w(0.1, 100, 10)]),
  fakeRun(0, 0, 1, [[0.4, 0.3], [0.6, 0.28]], [w(0, 110, 11), w(0.2, 120, 12)]),
  // L1 1e-5: best 0.26 and 0.31 (+0.01 both), gap 0.04 and 0.04 (-0.21, -0.06)
  fakeRun(1e-5, 0, 0, [[0.3, 0.26]], [w(0.5, 50, 5)]),
  fakeRun(1e-5, 0, 1, [[0.35, 0.31]], [w(0.5, 60, 6)]),
  // L1 1e-4: one seed, no weightStats
  fakeRun(1e-4, 0, 0, [[0.2, 0.2]]),
  // L2 1e-4: best 0.25 and 0.28 (0 and -0.02)
  fakeRun(0, 1e-4, 0, [[0.3, 0.25]], [w(0.1, 80, 8)]),
  fakeRun(0, 1e-4, 1, [[0.3, 0.28]], [w(0.2, 100, 10)]),
];

describe('bootstrapMeanCI', () => {
  it('two values: the resampled means are a, (a+b)/2 or b, so the 95% interval is [min, max]; one value: a point', () => {
    const ci = bootstrapMeanCI([0.25, 0.3], { seed: 1 });
    expect(ci.mean).toBeCloseTo(0.275, 12);
    expect(ci.lower).toBeCloseTo(0.25, 12);
    expect(ci.upper).toBeCloseTo(0.3, 12);
    expect(bootstrapMeanCI([0.7])).toMatchObject({ mean: 0.7, lower: 0.7, upper: 0.7 });
    expect(Number.isNaN(bootstrapMeanCI([]).mean)).toBe(true);
    const wide = bootstrapMeanCI([1, 2, 3, 4, 5, 6, 7, 8], { seed: 2 });
    expect(wide.lower).toBeGreaterThan(1);
    expect(wide.upper).toBeLessThan(8);
  });
});

describe('buildSweeps (pure, from results)', () => {
  it('is drawn only when a lambda has more than two values', () => {
    expect(isSweep(runs)).toBe(true);
    expect(isSweep(runs.filter((r) => r.config.regularization.l1 !== 1e-4))).toBe(false);
    expect(buildSweeps(runs.filter((r) => r.config.regularization.l1 !== 1e-4))).toEqual([]);
  });

  it('hand-computed means, CIs and differences to lambda = 0', () => {
    const [sweep] = buildSweeps(runs, { seed: 3 });
    expect(sweep!.penalties).toEqual(['L1', 'L2']);
    expect(sweep!.points.map((p) => `${p.penalty}:${p.lambda}`)).toEqual(['none:0', 'L1:0.00001', 'L1:0.0001', 'L2:0.0001']);
    const [base, l1a, l1b, l2] = sweep!.points;
    expect(base!.metrics.bestValAccuracy.values).toEqual([0.25, 0.3]);
    expect(base!.metrics.bestValAccuracy.mean).toBeCloseTo(0.275, 12);
    expect(base!.metrics.bestValAccuracy.lower).toBeCloseTo(0.25, 12);
    expect(base!.metrics.bestValAccuracy.upper).toBeCloseTo(0.3, 12);
    expect(base!.metrics.gap.values.map((x) => +x.toFixed(12))).toEqual([0.25, 0.1]);
    expect(base!.metrics.fractionNearZero.values).toEqual([0.1, 0.2]); // the LAST epoch's
    expect(base!.metrics.l1Norm.values).toEqual([100, 120]);
    expect(base!.metrics.bestValAccuracy.diff).toBeNull();
    // L1 1e-5, paired by seed: val +0.01 and +0.01 -> point CI, excludes 0
    const d = l1a!.metrics.bestValAccuracy.diff!;
    expect(d.kind).toBe('paired');
    expect(d.estimate).toBeCloseTo(0.01, 12);
    expect(d.lower).toBeCloseTo(0.01, 12);
    expect(d.upper).toBeCloseTo(0.01, 12);
    expect(l1a!.metrics.bestValAccuracy.excludesZero).toBe(true);
    // gap: 0.04 - 0.25 = -0.21, 0.04 - 0.1 = -0.06 -> mean -0.135, CI [-0.21, -0.06]
    const g = l1a!.metrics.gap.diff!;
    expect(g.estimate).toBeCloseTo(-0.135, 12);
    expect(g.lower).toBeCloseTo(-0.21, 12);
    expect(g.upper).toBeCloseTo(-0.06, 12);
    expect(l1a!.metrics.gap.excludesZero).toBe(true);
    // fraction near zero: 0.5 - 0.1, 0.5 - 0.2 -> [0.3, 0.4]
    expect(l1a!.metrics.fractionNearZero.diff!.lower).toBeCloseTo(0.3, 12);
    expect(l1a!.metrics.fractionNearZero.diff!.upper).toBeCloseTo(0.4, 12);
    // one seed, no weightStats: no CI, no norms
    expect(l1b!.metrics.bestValAccuracy.diff).toBeNull();
    expect(l1b!.metrics.bestValAccuracy.excludesZero).toBeNull();
    expect(l1b!.metrics.l1Norm.values).toEqual([]);
    // L2 1e-4: val 0 and -0.02 -> CI [-0.02, 0] contains 0
    const v2 = l2!.metrics.bestValAccuracy;
    expect(v2.diff!.lower).toBeCloseTo(-0.02, 12);
    expect(v2.diff!.upper).toBeCloseTo(0, 12);
    expect(v2.excludesZero).toBe(false);
    // CSV: one line per setting x quantity, values as computed
    const csv = sweepsToCsv([sweep!]).trim().split('\n');
    expect(csv).toHaveLength(1 + 4 * 5);
    const gapLine = csv.find((l) => l.startsWith('initial,L1,0.00001,0.00001,0,2,0 1,gap,'))!.split(',');
    expect(Number(gapLine[11])).toBeCloseTo(-0.135, 12);
    expect(gapLine[14]).toBe('true');
  });

  it('the elastic line appears for L1 = L2 > 0 settings; other mixes stay off the lines', () => {
    const more = [...runs, fakeRun(1e-4, 1e-4, 0, [[0.2, 0.2]]), fakeRun(1e-5, 1e-4, 0, [[0.2, 0.2]])];
    const [sweep] = buildSweeps(more);
    expect(sweep!.penalties).toEqual(['L1', 'L2', 'elastic']);
    expect(sweep!.points.filter((p) => p.penalty === 'other').map((p) => [p.l1, p.l2])).toEqual([[1e-5, 1e-4]]);
    expect(sweepChartData(sweep!).some((d) => d.penalty === 'other')).toBe(false);
  });
});

describe('sweep and run chart specs', () => {
  it('lambda = 0 sits one decade left of the smallest lambda, labelled 0, apart from the lines', () => {
    expect(sweepAxis([0, 1e-5, 1e-4, 1e-3]).zeroAt).toBeCloseTo(1e-6, 18);
    const [sweep] = buildSweeps(runs);
    const data = sweepChartData(sweep!);
    const zero = data.filter((d) => d.lambda === 0);
    expect(zero.every((d) => Math.abs(d.x - 1e-6) < 1e-18)).toBe(true);
    expect(zero.map((d) => d.metric)).toHaveLength(5);
    const spec = sweepChartSpec(sweep!) as unknown as { spec: { encoding: { x: { scale: { type: string }; axis: { values: number[] } } } } };
    expect(spec.spec.encoding.x.scale.type).toBe('log');
    expect(spec.spec.encoding.x.axis.values).toHaveLength(3);
  });

  it("the run figure's x domain is our epochs; the original is drawn beside on its own range", () => {
    const ours = fakeRun(0, 0, 0, [[0.1, 0.1], [0.2, 0.2], [0.3, 0.25], [0.4, 0.3], [0.5, 0.3]]);
    const original = Array.from({ length: 50 }, (_, i) => ({ epoch: i + 1, valAccuracy: 0.01 * i }));
    const spec = runChartSpec(ours, { source: 'original log', history: original }) as unknown as {
      hconcat: { title: string; spec: { encoding: { x: { scale: { domain: number[] } } } } }[];
    };
    expect(spec.hconcat).toHaveLength(2);
    expect(spec.hconcat[0]!.spec.encoding.x.scale.domain).toEqual([1, 5]);
    expect(spec.hconcat[1]!.spec.encoding.x.scale.domain).toEqual([1, 50]);
    expect(spec.hconcat[1]!.title).toContain('original log');
  });

  it('weights over epochs: x on the runs own epochs, null when none recorded', () => {
    const spec = weightStatsChartSpec('initial', runs) as unknown as { data: { values: { metric: string; value: number }[] }; spec: { encoding: { x: { scale: { domain: number[] } } } } };
    expect(spec.spec.encoding.x.scale.domain).toEqual([1, 2]);
    // 2 + 2 + 1 + 1 + 0 + 1 + 1 epochs with weightStats, 3 statistics each
    expect(spec.data.values).toHaveLength(8 * 3);
    expect(weightStatsChartSpec('initial', [runs[4]!])).toBeNull();
  });
});

describe('buildReport with a sweep', () => {
  it('writes the sweep figure, tables (md, csv, json) and the weights figure, and puts them in report.html', async () => {
    const studyDir = mkdtempSync(join(tmpdir(), 'regstudy-sweep-'));
    for (const r of runs) {
      const dir = join(studyDir, r.runId);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'config.json'), JSON.stringify(r.config));
      writeFileSync(join(dir, 'history.json'), JSON.stringify(r.history));
      writeFileSync(join(dir, 'status.json'), JSON.stringify(r.status));
    }
    const outDir = join(studyDir, 'out');
    const report = await buildReport({ studyDir, outDir, bootstrap: { resamples: 500, seed: 0 } });
    expect(report.sweeps).toHaveLength(1);
    for (const f of ['figures/sweep-initial.svg', 'figures/weights-initial.svg', 'tables/sweep-initial.md', 'tables/sweep.csv', 'tables/sweep.json']) {
      expect(existsSync(join(outDir, f)), f).toBe(true);
    }
    expect(readFileSync(join(outDir, 'figures', 'sweep-initial.svg'), 'utf8').startsWith('<svg')).toBe(true);
    const json = JSON.parse(readFileSync(join(outDir, 'tables', 'sweep.json'), 'utf8')) as { points: { metrics: { bestValAccuracy: { mean: number } } }[] }[];
    expect(json[0]!.points[0]!.metrics.bestValAccuracy.mean).toBeCloseTo(0.275, 12);
    const md = readFileSync(join(outDir, 'tables', 'sweep-initial.md'), 'utf8');
    expect(md).toContain('| L1 | 1e-5 | 0 | 2 | 0.2850 [0.2600, 0.3100] | +0.0100 [+0.0100, +0.0100] * |');
    const html = readFileSync(join(outDir, 'report.html'), 'utf8');
    expect(html).toContain('lambda sweep');
    expect(html).toContain('class="table-wrap"');
    expect(html).not.toMatch(/td\{[^}]*white-space:\s*nowrap/);
  });
});
