// The operationalisations of the paper's claims, on hand-made histories, and their verdicts on the
// original logs shipped with the example.
import { bootstrapDiffCI, bootstrapMeanCI, buildSweeps, buildTables, type RunResult } from '@regstudy/trainer/report';
import { describe, expect, it } from 'vitest';
import { claimRunsFromOriginals, claimRunsFromResults, differencesFromRuns, differencesFromTables, type ClaimRun, type SettingDifference } from '../src/claims/claim-runs';
import { checkClaim1, checkClaim2, checkClaim3, checkClaim4, checkClaims, combineFindings, lowestValLoss } from '../src/claims/evaluate';
import { CLAIMS_TITLE, claimsHtml, claimsMarkdown } from '../src/claims/render';
import { loadOriginalRuns } from '../src/paper/original-runs';

interface Opts {
  seed?: number;
  trainLoss?: number[];
  trainAcc?: number[];
  valAcc?: number[];
}

/** A run whose val loss follows `valLoss`; train loss falls by default, accuracies default to 0.1. */
function run(model: string, l1: number, l2: number, valLoss: number[], o: Opts = {}): ClaimRun {
  return {
    model,
    l1,
    l2,
    seed: o.seed ?? 0,
    label: `${model}_l1-${l1}_l2-${l2}_seed-${o.seed ?? 0}`,
    history: valLoss.map((v, i) => ({
      epoch: i + 1,
      valLoss: v,
      trainLoss: o.trainLoss?.[i] ?? 5 - i * 0.1,
      trainAccuracy: o.trainAcc?.[i] ?? 0.1,
      valAccuracy: o.valAcc?.[i] ?? 0.1,
    })),
  };
}

/** Val loss falling until epoch `low` (1-based) of `n`, rising after it. */
const vee = (low: number, n: number): number[] => Array.from({ length: n }, (_, i) => (i + 1 <= low ? 5 - i * 0.1 : 5 - (low - 1) * 0.1 + (i + 1 - low) * 0.05));

describe('claim 1: L1 keeps the val loss falling longer than L2', () => {
  it('finds the epoch of the lowest val loss, first on ties, and whether it is the last', () => {
    expect(lowestValLoss(run('new', 0, 0, [3, 2, 2, 2.5]).history)).toEqual({ epoch: 2, index: 1, atLastEpoch: false });
    expect(lowestValLoss(run('new', 0, 0, [3, 2, 1]).history)).toEqual({ epoch: 3, index: 2, atLastEpoch: true });
    expect(lowestValLoss([])).toBeNull();
  });

  it('is supported when the L1 run reaches its lowest val loss later, not supported when earlier or at the same epoch', () => {
    const yes = checkClaim1([run('new', 1e-4, 0, vee(6, 8)), run('new', 0, 1e-4, vee(3, 8))]);
    expect(yes.verdict).toBe('supported');
    expect(yes.findings[0]).toMatchObject({ scope: 'New Model, lambda 1e-4, seed 0', verdict: 'supported' });
    expect(yes.findings[0]!.detail).toBe('L1 val loss lowest at epoch 6 of 8; L2 val loss lowest at epoch 3 of 8');
    expect(checkClaim1([run('new', 1e-4, 0, vee(3, 8)), run('new', 0, 1e-4, vee(5, 8))]).verdict).toBe('not supported');
    expect(checkClaim1([run('new', 1e-4, 0, vee(4, 8)), run('new', 0, 1e-4, vee(4, 8))]).verdict).toBe('not supported');
  });

  it('treats a loss still falling at the last epoch as falling at least that long', () => {
    // L1 still falling at 8 of 8, L2 lowest at 4: supported.
    expect(checkClaim1([run('new', 1e-4, 0, vee(8, 8)), run('new', 0, 1e-4, vee(4, 8))]).verdict).toBe('supported');
    // L2 (5 epochs) still falling at 5, L1 lowest at 4 of 10: L1 stopped first, not supported.
    expect(checkClaim1([run('new', 1e-4, 0, vee(4, 10)), run('new', 0, 1e-4, vee(5, 5))]).verdict).toBe('not supported');
    // L2 still falling at its last epoch 5, L1 lowest at 7 of 10: cannot tell how long L2 would have gone on.
    const open = checkClaim1([run('new', 1e-4, 0, vee(7, 10)), run('new', 0, 1e-4, vee(5, 5))]);
    expect(open.verdict).toBe('cannot tell');
    expect(open.findings[0]!.detail).toMatch(/^both still falling when a run stopped: /);
    // Both still falling.
    expect(checkClaim1([run('new', 1e-4, 0, vee(6, 6)), run('new', 0, 1e-4, vee(6, 6))]).verdict).toBe('cannot tell');
  });

  it('cannot tell with too few epochs or without an L1-only / L2-only pair of the same lambda and seed', () => {
    const short = checkClaim1([run('new', 1e-4, 0, vee(1, 2)), run('new', 0, 1e-4, vee(1, 2))]);
    expect(short.verdict).toBe('cannot tell');
    expect(short.findings[0]!.detail).toBe('too few epochs: 2 (L1) and 2 (L2), need 3');
    expect(short.reason).toContain('too few epochs');
    const unpaired = checkClaim1([run('new', 1e-4, 0, vee(6, 8)), run('new', 0, 1e-3, vee(3, 8)), run('new', 0, 1e-4, vee(3, 8), { seed: 1 })]);
    expect(unpaired.verdict).toBe('cannot tell');
    expect(unpaired.findings[0]!.detail).toMatch(/^no L1-only and L2-only runs/);
    expect(checkClaim1([]).verdict).toBe('cannot tell');
  });

  it('combines models: one contradiction makes it not supported, undecided models do not', () => {
    const mixed = checkClaim1([
      run('new', 1e-4, 0, vee(6, 8)), run('new', 0, 1e-4, vee(3, 8)),
      run('initial', 1e-4, 0, vee(2, 8)), run('initial', 0, 1e-4, vee(3, 8)),
    ]);
    expect(mixed.verdict).toBe('not supported');
    expect(mixed.reason).toBe('contradicted by 1 of 2 (Initial Model, lambda 1e-4, seed 0); holds for New Model, lambda 1e-4, seed 0');
    const partly = checkClaim1([run('new', 1e-4, 0, vee(6, 8)), run('new', 0, 1e-4, vee(3, 8)), run('resnet18', 1e-4, 0, vee(1, 2))]);
    expect(partly.verdict).toBe('supported');
    expect(partly.reason).toBe('holds for all 1 decided (New Model, lambda 1e-4, seed 0); 1 undecided');
  });
});

describe('claim 2: regularisation lowers training accuracy', () => {
  const flat = [3, 2.9, 2.8, 2.7];
  it('compares the train accuracy at the best-val epoch, not at the last epoch', () => {
    const base = run('new', 0, 0, flat, { valAcc: [0.1, 0.2, 0.3, 0.25], trainAcc: [0.1, 0.2, 0.5, 0.9] });
    // Best val at epoch 2 with train acc 0.3 (< 0.5 of the baseline's best epoch 3), though its last epoch is 0.95.
    const reg = run('new', 1e-4, 0, flat, { valAcc: [0.1, 0.3, 0.2, 0.2], trainAcc: [0.1, 0.3, 0.6, 0.95] });
    const c = checkClaim2([base, reg]);
    expect(c.verdict).toBe('supported');
    expect(c.findings[0]).toEqual({ scope: 'New Model, L1=1e-4, L2=0', verdict: 'supported', detail: 'train acc at best epoch 0.3000 vs 0.5000 unregularised (-0.2000; one run each)' });
  });

  it('is not supported when a regularised run has an equal or higher train accuracy', () => {
    const base = run('new', 0, 0, flat, { trainAcc: [0.4, 0.4, 0.4, 0.4] });
    expect(checkClaim2([base, run('new', 1e-4, 0, flat, { trainAcc: [0.3, 0.3, 0.3, 0.3] }), run('new', 0, 1e-4, flat, { trainAcc: [0.4, 0.4, 0.4, 0.4] })]).verdict).toBe('not supported');
  });

  it('cannot tell without an unregularised run', () => {
    const c = checkClaim2([run('initial', 1e-4, 0, flat)]);
    expect(c.verdict).toBe('cannot tell');
    expect(c.findings[0]!.detail).toBe('no unregularised run: nothing to compare with');
  });

  it('with several seeds, decides by the bootstrap CI of the difference and cannot tell when it contains 0', () => {
    const seeds = (l1: number, accs: number[]): ClaimRun[] => accs.map((a, seed) => run('new', l1, 0, flat, { seed, trainAcc: [a, a, a, a] }));
    const lower = checkClaim2([...seeds(0, [0.5, 0.52, 0.54]), ...seeds(1e-4, [0.3, 0.33, 0.31])]);
    expect(lower.verdict).toBe('supported');
    expect(lower.findings[0]!.detail).toMatch(/\(3 and 3 seeds\), difference -0\.\d{4} \[-0\.\d{4}, -0\.\d{4}\]$/);
    const overlap = checkClaim2([...seeds(0, [0.5, 0.3, 0.4]), ...seeds(1e-4, [0.45, 0.35, 0.41])]);
    expect(overlap.verdict).toBe('cannot tell');
    expect(overlap.findings[0]!.detail).toMatch(/^the 95% CI contains 0: /);
    expect(checkClaim2([...seeds(0, [0.3, 0.31]), ...seeds(1e-4, [0.5, 0.52])]).verdict).toBe('not supported');
  });
});

describe('claim 3: ResNet overfits within 10-15 epochs yet generalises best', () => {
  const resnet = (low: number, n: number, best: number, o: Opts = {}): ClaimRun => run('resnet18', 0, 0, vee(low, n), { valAcc: Array.from({ length: n }, () => best), ...o });
  const other = (best: number): ClaimRun => run('new', 0, 0, vee(5, 20), { valAcc: Array.from({ length: 20 }, () => best) });

  it('is supported when val loss is lowest by epoch 15 while the train loss falls on, and ResNet has the best val acc', () => {
    const c = checkClaim3([resnet(10, 20, 0.3), other(0.2)]);
    expect(c.verdict).toBe('supported');
    expect(c.findings.map((f) => f.verdict)).toEqual(['supported', 'supported']);
    expect(c.findings[0]!.detail).toBe('overfits from epoch 10 of 20 (lowest val loss; train loss falls on); best val acc at epoch 1');
    expect(c.findings[1]!.detail).toBe('ResNet-18 0.3000 vs New Model 0.2000');
  });

  it('is not supported when overfitting starts later, never starts in a long run, or the train loss does not fall after it', () => {
    expect(checkClaim3([resnet(18, 25, 0.3), other(0.2)]).findings[0]!.verdict).toBe('not supported');
    const never = checkClaim3([resnet(20, 20, 0.3), other(0.2)]);
    expect(never.verdict).toBe('not supported');
    expect(never.findings[0]!.detail).toMatch(/^val loss lowest at the last epoch 20 of 20: no overfitting within 15 epochs/);
    const rising = checkClaim3([resnet(5, 10, 0.3, { trainLoss: [5, 4, 3, 2, 1, 1.5, 2, 2.5, 3, 3.5] }), other(0.2)]);
    expect(rising.verdict).toBe('not supported');
    expect(rising.findings[0]!.detail).toContain('the train loss did not fall after it');
  });

  it('is not supported when another model reaches a higher best val acc in the same setting', () => {
    const c = checkClaim3([resnet(10, 20, 0.2), other(0.25)]);
    expect(c.verdict).toBe('not supported');
    expect(c.reason).toContain('(b) generalises best: not supported');
  });

  it('cannot tell with too few epochs, without a ResNet run, or without another model of the same setting', () => {
    const short = checkClaim3([resnet(2, 2, 0.3), other(0.2)]);
    expect(short.verdict).toBe('cannot tell');
    expect(short.findings[0]!.detail).toMatch(/^too few epochs: val loss still falling at the last epoch 2 of 2/);
    expect(checkClaim3([other(0.2)])).toMatchObject({ verdict: 'cannot tell', reason: 'no ResNet-18 run' });
    const alone = checkClaim3([resnet(10, 20, 0.3), run('new', 1e-4, 0, vee(5, 20))]);
    expect(alone.verdict).toBe('cannot tell');
    expect(alone.findings[1]!.detail).toBe('no other model ran this setting: nothing to compare with');
  });
});

describe('claim 4: single runs make the differences inconclusive', () => {
  const ci = (a: number[], b: number[]) => bootstrapDiffCI(a, b, { paired: true });
  const diff = (l1: number, c: SettingDifference['ci'], seeds = 3): SettingDifference => ({ model: 'new', l1, l2: 0, seeds, baselineSeeds: seeds, ci: c });

  it('cannot tell with one seed per setting', () => {
    const c = checkClaim4([diff(1e-4, null, 1)]);
    expect(c.verdict).toBe('cannot tell');
    expect(c.reason).toBe('one seed per setting: the seed-to-seed spread cannot be estimated from single runs');
    expect(checkClaim4([]).verdict).toBe('cannot tell');
  });

  it('is supported when at least half of the CIs contain 0, not supported when fewer do', () => {
    const open = ci([0.2, 0.1, 0.15], [0.15, 0.14, 0.12]);
    const closed = ci([0.3, 0.31, 0.32], [0.1, 0.11, 0.12]);
    expect(open.lower).toBeLessThan(0);
    expect(closed.lower).toBeGreaterThan(0);
    const half = checkClaim4([diff(1e-4, open), diff(1e-3, closed)]);
    expect(half).toMatchObject({ verdict: 'supported', reason: '1 of 2 differences with a CI contain 0' });
    expect(checkClaim4([diff(1e-4, closed), diff(1e-3, closed), diff(1e-2, open)]).verdict).toBe('not supported');
    expect(checkClaim4([diff(1e-4, closed), diff(1e-3, null, 1)]).reason).toBe('0 of 1 differences with a CI contain 0 (1 without a CI)');
  });

  it("takes the trainer report's CIs from its tables, and none from single original runs", () => {
    const result = (model: string, l1: number, seed: number, acc: number): RunResult =>
      ({
        runId: `${model}_l1-${l1}_l2-0_seed-${seed}`,
        config: { model, seed, gridIndex: (l1 ? 10 : 0) + seed, epochs: 1, regularization: { l1, l2: 0, proximalL1: 0, decoupledDecay: 0 } },
        status: { status: 'completed' },
        history: [{ epoch: 1, trainLoss: 1, trainPenalty: 0, trainTotalLoss: 1, trainAccuracy: acc, valLoss: 1, valDataLoss: 1, valAccuracy: acc, learningRate: 0.01, epochSeconds: 1, imagesPerSecond: 1 }],
      }) as unknown as RunResult;
    const results = [result('new', 0, 0, 0.1), result('new', 0, 1, 0.2), result('new', 1e-4, 0, 0.12), result('new', 1e-4, 1, 0.19)];
    const diffs = differencesFromTables(buildTables(results));
    expect(diffs).toHaveLength(1);
    expect(diffs[0]).toMatchObject({ model: 'new', l1: 1e-4, l2: 0, seeds: 2, baselineSeeds: 2 });
    expect(diffs[0]!.ci!.kind).toBe('paired');
    expect(checkClaim4(diffs).verdict).toBe('supported'); // +0.02 and -0.01: the CI spans 0
    expect(claimRunsFromResults(results).map((r) => [r.model, r.l1, r.seed, r.history.length])).toEqual([['new', 0, 0, 1], ['new', 0, 1, 1], ['new', 1e-4, 0, 1], ['new', 1e-4, 1, 1]]);
    const single = differencesFromRuns([run('new', 0, 0, [1]), run('new', 1e-4, 0, [1]), run('initial', 1e-4, 0, [1])]);
    expect(single).toEqual([{ model: 'new', l1: 1e-4, l2: 0, seeds: 1, baselineSeeds: 1, ci: null }]);
  });
});

describe('claims 2 and 4 on a lambda sweep: per lambda, with bootstrap CIs', () => {
  /** One-epoch result of `model` at (l1, l2), seed, with the given train and val accuracy. */
  const result = (l1: number, l2: number, seed: number, trainAcc: number, valAcc: number): RunResult =>
    ({
      runId: `new_l1-${l1}_l2-${l2}_seed-${seed}`,
      config: { model: 'new', seed, gridIndex: seed, epochs: 1, regularization: { l1, l2, proximalL1: 0, decoupledDecay: 0 } },
      status: { status: 'completed' },
      history: [{ epoch: 1, trainLoss: 1, trainPenalty: 0, trainTotalLoss: 1, trainAccuracy: trainAcc, valLoss: 1, valDataLoss: 1, valAccuracy: valAcc, learningRate: 0.01, epochSeconds: 1, imagesPerSecond: 1 }],
    }) as unknown as RunResult;
  const baseTrain = [0.6, 0.62, 0.61];
  const baseVal = [0.3, 0.31, 0.32];
  const noise = [0.01, -0.01, 0.005];
  // L2 = 1e-3 lowers train accuracy by 0.2 on every seed; L1 = 1e-3 lowers val accuracy by 0.1; everything else is noise only.
  const settings: { l1: number; l2: number; train: (s: number) => number; val: (s: number) => number }[] = [
    { l1: 0, l2: 0, train: (s) => baseTrain[s]!, val: (s) => baseVal[s]! },
    ...[1e-5, 1e-4, 1e-3].map((l1) => ({ l1, l2: 0, train: (s: number) => baseTrain[s]! + noise[s]!, val: (s: number) => baseVal[s]! + (l1 === 1e-3 ? -0.1 : noise[s]!) })),
    ...[1e-5, 1e-4, 1e-3].map((l2) => ({ l1: 0, l2, train: (s: number) => baseTrain[s]! + (l2 === 1e-3 ? -0.2 : noise[s]!), val: (s: number) => baseVal[s]! + noise[s]! })),
  ];
  const results = settings.flatMap((x) => [0, 1, 2].map((seed) => result(x.l1, x.l2, seed, x.train(seed), x.val(seed))));
  const sweeps = buildSweeps(results);
  const claims = checkClaims(claimRunsFromResults(results), differencesFromTables(buildTables(results)), sweeps);
  const boot = { resamples: 2000, seed: 0 };

  it('claim 2: train accuracy clearly lower at L2 = 1e-3 is supported there with a CI below 0; noise-only lambdas have CIs containing 0', () => {
    const c2 = claims[1]!;
    expect(c2.lines!.map((l) => `${l.model} ${l.penalty}: ${l.points.map((p) => `${p.lambda} ${p.direction}`).join(', ')}`)).toEqual([
      'new L1: 0.00001 unresolved, 0.0001 unresolved, 0.001 unresolved',
      'new L2: 0.00001 unresolved, 0.0001 unresolved, 0.001 lower',
    ]);
    const strong = c2.lines![1]!.points[2]!;
    const trainOf = (l1: number, l2: number) => [0, 1, 2].map((s) => settings.find((x) => x.l1 === l1 && x.l2 === l2)!.train(s));
    // The CIs are the trainer report's bootstraps of these very numbers (paired by seed).
    expect(strong.diff).toEqual(bootstrapDiffCI(trainOf(0, 1e-3), trainOf(0, 0), { paired: true, ...boot }));
    expect(strong.mean).toEqual(bootstrapMeanCI(trainOf(0, 1e-3), boot));
    expect(strong.baseline).toEqual(bootstrapMeanCI(baseTrain, boot));
    expect(strong.diff!.estimate).toBeCloseTo(-0.2, 12);
    expect(strong.diff!.upper).toBeLessThan(0);
    for (const p of c2.lines!.flatMap((l) => l.points).filter((x) => x !== strong)) {
      expect(p.diff!.lower).toBeLessThan(0);
      expect(p.diff!.upper).toBeGreaterThan(0);
      expect(p.mean.lower).toBeLessThanOrEqual(p.mean.mean);
      expect(p.mean.upper).toBeGreaterThanOrEqual(p.mean.mean);
    }
    expect(c2.lines![1]!.statement).toMatch(
      /^New Model, L2: train accuracy at the best epoch lower than at λ = 0 at λ = 1e-3 \(-0\.2000 \[-0\.\d{4}, -0\.\d{4}\]\); 95% CI of the difference contains 0 at λ = 1e-5 \([+-]0\.\d{4} \[-0\.\d{4}, \+0\.\d{4}\]\), λ = 1e-4 /,
    );
    expect(c2.findings.find((f) => f.scope === 'New Model, L1=0, L2=1e-3')!.verdict).toBe('supported');
    expect(c2.findings.filter((f) => f.verdict === 'cannot tell')).toHaveLength(5);
    expect(c2.verdict).toBe('supported');
  });

  it("claim 4: per lambda from the sweep's best val accuracy CIs; the resolved one is L1 = 1e-3", () => {
    const c4 = claims[3]!;
    expect(c4.lines!.map((l) => l.points.map((p) => p.direction).join(' '))).toEqual(['unresolved unresolved lower', 'unresolved unresolved unresolved']);
    const l1Strong = c4.lines![0]!.points[2]!;
    expect(l1Strong.diff).toEqual(sweeps[0]!.points.find((p) => p.l1 === 1e-3)!.metrics.bestValAccuracy.diff);
    expect(l1Strong.diff!.estimate).toBeCloseTo(-0.1, 12);
    expect(l1Strong.mean.mean).toBeCloseTo(0.21, 12);
    expect(l1Strong.baseline.mean).toBeCloseTo(0.31, 12);
    expect(c4.lines![0]!.statement).toMatch(/^New Model, L1: best val accuracy lower than at λ = 0 at λ = 1e-3 \(-0\.1000 /);
    expect(c4).toMatchObject({ verdict: 'supported', reason: '5 of 6 differences with a CI contain 0' });
  });

  it('has no per-lambda lines without a sweep, and renders them in Markdown and HTML (in a scroll box)', () => {
    expect(checkClaims(claimRunsFromResults(results.slice(0, 6)), [], buildSweeps(results.slice(0, 6))).map((c) => c.lines)).toEqual([undefined, undefined, undefined, undefined]);
    const check = { ours: claims, original: claims };
    const md = claimsMarkdown(check);
    expect(md).toContain(`- ${claims[1]!.lines![1]!.statement}.`);
    expect(md).toMatch(/^\| new \| L2 \| 1e-3 \| 3 \/ 3 \| 0\.4100 \[0\.\d{4}, 0\.\d{4}\] \| 0\.6100 \[0\.\d{4}, 0\.\d{4}\] \| -0\.2000 \[.*\] \| below 0 \|$/m);
    const html = claimsHtml(check);
    expect(html).toMatch(/<div class="table-wrap"><table><thead><tr><th>Model<\/th><th>Line<\/th><th>λ<\/th>/);
    expect(html).not.toMatch(/<\/ul><table/);
  });
});

describe('the claims on the original logs', () => {
  const runs = claimRunsFromOriginals(loadOriginalRuns());
  const claims = checkClaims(runs, differencesFromRuns(runs));

  it('reads every non-empty log (the Initial unregularised one is empty)', () => {
    expect(runs).toHaveLength(13);
    expect(runs.some((r) => r.model === 'initial' && r.l1 === 0 && r.l2 === 0)).toBe(false);
  });

  it('gives these verdicts', () => {
    expect(claims.map((c) => c.verdict)).toEqual(['supported', 'not supported', 'not supported', 'cannot tell']);
    // Claim 1: Initial 31 (L1) vs 15 (L2, a 25-epoch run); ResNet L1 still falling at 25 vs 12; no New L2-only log.
    expect(claims[0]!.findings.map((f) => `${f.scope}: ${f.verdict}`)).toEqual([
      'Initial Model, lambda 1e-4, seed 0: supported',
      'New Model: cannot tell',
      'ResNet-18, lambda 1e-4, seed 0: supported',
    ]);
    // Claim 2: the paper's own ResNet rows have higher train accuracy with L1 or L2.
    expect(claims[1]!.reason).toMatch(/^contradicted by 4 of 8/);
    // Claim 3: three L1 ResNet runs' logged val loss (with the L1 term) falls to the end; ResNet is best everywhere.
    expect(claims[2]!.reason).toMatch(/^\(a\) overfits within 15 epochs: not supported .*\(b\) generalises best: supported/);
    expect(claims[3]!.reason).toContain('one seed per setting');
  });

  it('renders a summary row per claim and the findings, in Markdown and escaped HTML', () => {
    const check = { ours: claims, original: claims };
    const md = claimsMarkdown(check);
    expect(md.startsWith(`## ${CLAIMS_TITLE}`)).toBe(true);
    expect(md).toContain('| 1. L1 keeps the validation loss falling with the training loss for longer than L2. | **supported**: ');
    expect(md.match(/^### Claim \d/gm)).toHaveLength(4);
    expect(md).toContain('How it is checked: Per model, the L1-only run');
    const html = claimsHtml(check);
    expect(html).toContain('<section id="claims">');
    expect(html).toContain("The paper&#39;s claims, checked on this run");
    expect(html).toContain('<code>study/&lt;run&gt;/history.json</code>');
    expect(html.match(/<h3>Claim/g)).toHaveLength(4);
  });

  it('combineFindings explains an empty list', () => {
    expect(combineFindings([])).toEqual({ verdict: 'cannot tell', reason: 'no runs to check it on' });
  });
});
