/**
 * The paper's four qualitative claims (STUDY-NOTES), each turned into a rule that a set of runs
 * decides: supported, not supported, or cannot tell (with the reason). Pure functions of the runs'
 * per-epoch histories (and, for claim 4, of the trainer report's bootstrap CIs).
 *
 * One rule combines the findings of a claim (per model, per run or per setting) into its verdict:
 * "not supported" when any decided finding contradicts the claim, "supported" when at least one
 * finding is decided and every decided one supports it, "cannot tell" when none is decided.
 * Claim 4, a statement about how many differences are resolved, counts instead (see there).
 */
import { mean, type BootstrapCI, type ModelSweep } from '@regstudy/trainer/report';
import { paperModelTitles, type PaperModel } from '../paper/tables';
import type { ClaimEpoch, ClaimRun, SettingDifference } from './claim-runs';
import { bestValAccuracyLines, compareSeeds, lineStatement, linePoints, meanText, type LambdaComparison, type LinePenalty, type SweepLine } from './sweep-lines';

export type Verdict = 'supported' | 'not supported' | 'cannot tell';

/** One decided (or undecidable) piece of evidence: a model, a run, a setting or a comparison. */
export interface Finding {
  scope: string;
  verdict: Verdict;
  /** The numbers behind the verdict; for 'cannot tell' it starts with the reason, then ': '. */
  detail: string;
}

export interface ClaimResult {
  id: 1 | 2 | 3 | 4;
  claim: string;
  /** How the claim is measured, in words (the same text for every source). */
  operationalisation: string;
  verdict: Verdict;
  /** One sentence: why this verdict. */
  reason: string;
  findings: Finding[];
  /**
   * Claims 2 and 4 on a lambda sweep (a model whose grid has more than two values of a lambda):
   * per line (L1, L2, elastic) and lambda, the quantity's mean over seeds against lambda = 0 with
   * bootstrap 95% CIs, and a sentence per line. Absent without a sweep.
   */
  lines?: SweepLine[];
}

/** Claim 1 needs this many epochs in both runs for "the last epoch at which val loss fell" to mean anything. */
export const CLAIM1_MIN_EPOCHS = 3;
/** Claim 3: "overfits within 10-15 epochs" holds when overfitting starts at this epoch or earlier. */
export const CLAIM3_OVERFIT_BY = 15;

export const claimTexts: Record<1 | 2 | 3 | 4, string> = {
  1: 'L1 keeps the validation loss falling with the training loss for longer than L2.',
  2: 'Regularisation lowers training accuracy.',
  3: 'ResNet overfits within 10-15 epochs yet generalises best.',
  4: 'Single runs make the differences inconclusive.',
};

export const operationalisations: Record<1 | 2 | 3 | 4, string> = {
  1:
    'Per model, the L1-only run (L1 = x, L2 = 0) against the L2-only run with the same lambda (L1 = 0, L2 = x) and the same seed. ' +
    'For each, the epoch of the lowest logged validation loss (first on ties), i.e. the last epoch at which the validation loss still reached a new low ' +
    "(the logged loss: it includes the L1 term, as in the paper's code). If that is the run's last epoch, the loss was still falling when the run stopped, " +
    'so it would have fallen at least that long. Supported when the L1 run fell strictly longer (its epoch > the L2 run\'s, or it was still falling past the L2 run\'s epoch), ' +
    `not supported when it stopped falling no later; cannot tell when both were still falling, or when either run has fewer than ${CLAIM1_MIN_EPOCHS} epochs. ` +
    'The training loss is not tested (it falls throughout in practice). Caveat: the L1 term in the logged loss shrinks as L1 shrinks the weights, which can keep it falling after the ' +
    'cross-entropy has turned up; our histories also hold the cross-entropy alone (valDataLoss), not used here so that our runs and the original logs are measured alike.',
  2:
    "Per model and regularised setting, the train accuracy at the epoch of best validation accuracy (the tables' \"train accuracy\") against the unregularised run's. " +
    'One run each: lower is supported, equal or higher is not (a point comparison, see claim 4). More than one seed in both: the bootstrap 95% CI of the difference of the means ' +
    '(paired by seed when the seeds match; 2000 resamples) entirely below 0 is supported, entirely above 0 is not, containing 0 is cannot tell. ' +
    'On a lambda sweep the same per lambda along each line (L1 alone, L2 alone, elastic), stated per line: where the CI lies below 0, above 0, or contains 0.',
  3:
    `(a) Per ResNet-18 run, overfitting starts at the epoch of the lowest validation loss, provided the validation loss is higher at every later epoch while the training loss at the last epoch is below its value there. ` +
    `Supported when that epoch is <= ${CLAIM3_OVERFIT_BY}, not supported when it is later or when the training loss did not fall after it; ` +
    `if the validation loss was lowest at the last epoch, not supported when the run lasted more than ${CLAIM3_OVERFIT_BY} epochs, else cannot tell (too few epochs). ` +
    'The validation loss is the logged one, with the L1 term for L1 runs (see the caveat of claim 1). ' +
    '(b) Per (L1, L2) setting that ResNet-18 and another model both ran, ResNet-18\'s best validation accuracy (mean over seeds) against each other model\'s: supported when strictly higher than all. ' +
    'Claim 3 is supported when (a) and (b) are, not supported when either is not, otherwise cannot tell.',
  4:
    "Per model and regularised setting, the trainer report's bootstrap 95% CI of the difference in best validation accuracy to the unregularised setting (needs more than one seed in both). " +
    'A CI that contains 0 is a difference the seeds do not resolve. Supported when at least half of the comparisons with a CI contain 0, not supported when fewer do; ' +
    'cannot tell with one seed per setting (the seed-to-seed spread cannot be estimated from one run). ' +
    "On a lambda sweep the CIs are the sweep table's, stated per line and lambda: which lambdas the seeds resolve and which they do not.",
};

const title = (model: string): string => paperModelTitles[model as PaperModel] ?? model;
const lam = (x: number): string => (x === 0 ? '0' : x.toExponential().replace('e+', 'e'));
const setting = (l1: number, l2: number): string => `L1=${lam(l1)}, L2=${lam(l2)}`;
const f4 = (x: number): string => x.toFixed(4);
const signed = (x: number): string => `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(4)}`;
const ciText = (ci: BootstrapCI): string => `${signed(ci.estimate)} [${signed(ci.lower)}, ${signed(ci.upper)}]`;
const settingKey = (l1: number, l2: number): string => `${l1}/${l2}`;
const modelsOf = (runs: readonly ClaimRun[]): string[] => [...new Set(runs.map((r) => r.model))];

/** Combines findings: any decided contradiction -> not supported; decided and all supporting -> supported; none decided -> cannot tell. */
export function combineFindings(findings: readonly Finding[]): { verdict: Verdict; reason: string } {
  const not = findings.filter((f) => f.verdict === 'not supported');
  const yes = findings.filter((f) => f.verdict === 'supported');
  const open = findings.filter((f) => f.verdict === 'cannot tell');
  const list = (fs: readonly Finding[]): string => fs.map((f) => f.scope).join('; ');
  if (!findings.length) return { verdict: 'cannot tell', reason: 'no runs to check it on' };
  if (not.length) {
    return { verdict: 'not supported', reason: `contradicted by ${not.length} of ${findings.length} (${list(not)})${yes.length ? `; holds for ${list(yes)}` : ''}` };
  }
  if (yes.length) return { verdict: 'supported', reason: `holds for all ${yes.length} decided (${list(yes)})${open.length ? `; ${open.length} undecided` : ''}` };
  const reasons = [...new Set(open.map((f) => f.detail.split(': ')[0]))];
  return { verdict: 'cannot tell', reason: `none decided: ${reasons.join('; ')}` };
}

/** Epoch of the lowest val loss (first on ties), and whether it is the run's last epoch. */
export function lowestValLoss(history: readonly ClaimEpoch[]): { epoch: number; index: number; atLastEpoch: boolean } | null {
  let best = -1;
  history.forEach((e, i) => {
    if (best < 0 || e.valLoss < history[best]!.valLoss) best = i;
  });
  if (best < 0) return null;
  return { epoch: history[best]!.epoch, index: best, atLastEpoch: best === history.length - 1 };
}

/** The epoch of best val accuracy (first on ties) and that epoch's train accuracy. */
export function bestValEpoch(history: readonly ClaimEpoch[]): ClaimEpoch | null {
  let best: ClaimEpoch | null = null;
  for (const e of history) if (!best || e.valAccuracy > best.valAccuracy) best = e;
  return best;
}

/** Claim 1: how long the val loss kept falling, L1-only against L2-only with the same lambda and seed. */
export function checkClaim1(runs: readonly ClaimRun[]): ClaimResult {
  const findings: Finding[] = [];
  for (const model of modelsOf(runs)) {
    const l1Only = runs.filter((r) => r.model === model && r.l1 > 0 && r.l2 === 0);
    const l2Only = runs.filter((r) => r.model === model && r.l1 === 0 && r.l2 > 0);
    const pairs = l1Only.flatMap((a) => l2Only.filter((b) => b.l2 === a.l1 && b.seed === a.seed).map((b) => [a, b] as const));
    if (!pairs.length) {
      findings.push({ scope: title(model), verdict: 'cannot tell', detail: 'no L1-only and L2-only runs with the same lambda and seed: nothing to compare' });
      continue;
    }
    for (const [a, b] of pairs) {
      const scope = `${title(model)}, lambda ${lam(a.l1)}, seed ${a.seed}`;
      if (a.history.length < CLAIM1_MIN_EPOCHS || b.history.length < CLAIM1_MIN_EPOCHS) {
        findings.push({ scope, verdict: 'cannot tell', detail: `too few epochs: ${a.history.length} (L1) and ${b.history.length} (L2), need ${CLAIM1_MIN_EPOCHS}` });
        continue;
      }
      const la = lowestValLoss(a.history)!;
      const lb = lowestValLoss(b.history)!;
      // The epochs as intervals: exact, or [last epoch, infinity) when still falling at the end.
      const aLo = la.epoch;
      const aHi = la.atLastEpoch ? Infinity : la.epoch;
      const bLo = lb.epoch;
      const bHi = lb.atLastEpoch ? Infinity : lb.epoch;
      const say = (r: ClaimRun, l: typeof la, what: string): string =>
        `${what} val loss ${l.atLastEpoch ? `still falling at its last epoch ${l.epoch}` : `lowest at epoch ${l.epoch} of ${r.history.length}`}`;
      const detail = `${say(a, la, 'L1')}; ${say(b, lb, 'L2')}`;
      const verdict: Verdict = aLo > bHi ? 'supported' : aHi <= bLo ? 'not supported' : 'cannot tell';
      findings.push({ scope, verdict, detail: verdict === 'cannot tell' ? `both still falling when a run stopped: ${detail}` : detail });
    }
  }
  return { id: 1, claim: claimTexts[1], operationalisation: operationalisations[1], findings, ...combineFindings(findings) };
}

/**
 * Claim 2: train accuracy at the best-val epoch, regularised against unregularised. For a model
 * in `sweeps` also per line and lambda ({@link ClaimResult.lines}).
 */
export function checkClaim2(runs: readonly ClaimRun[], sweeps: readonly ModelSweep[] = []): ClaimResult {
  const findings: Finding[] = [];
  const lines: SweepLine[] = [];
  const quantity = 'train accuracy at the best epoch';
  for (const model of modelsOf(runs)) {
    const mine = runs.filter((r) => r.model === model);
    const base = mine.filter((r) => r.l1 === 0 && r.l2 === 0);
    const settings = [...new Map(mine.filter((r) => r.l1 > 0 || r.l2 > 0).map((r) => [settingKey(r.l1, r.l2), { l1: r.l1, l2: r.l2 }])).values()];
    if (!base.length) {
      findings.push({ scope: title(model), verdict: 'cannot tell', detail: 'no unregularised run: nothing to compare with' });
      continue;
    }
    const trainAcc = (rs: readonly ClaimRun[]): Map<number, number> => new Map(rs.map((r) => [r.seed, bestValEpoch(r.history)!.trainAccuracy]));
    const b = trainAcc(base);
    const compared = new Map<string, ReturnType<typeof compareSeeds>>();
    for (const s of settings) {
      const a = trainAcc(mine.filter((r) => r.l1 === s.l1 && r.l2 === s.l2));
      const scope = `${title(model)}, ${setting(s.l1, s.l2)}`;
      const c = compareSeeds(a, b);
      compared.set(settingKey(s.l1, s.l2), c);
      if (c.diff) {
        const verdict: Verdict = c.direction === 'lower' ? 'supported' : c.direction === 'higher' ? 'not supported' : 'cannot tell';
        const detail = `train acc (mean [95% CI]) ${meanText(c.mean)} vs ${meanText(c.baseline)} unregularised (${a.size} and ${b.size} seeds), difference ${ciText(c.diff)}`;
        findings.push({ scope, verdict, detail: verdict === 'cannot tell' ? `the 95% CI contains 0: ${detail}` : detail });
      } else {
        const ma = c.mean.mean;
        const mb = c.baseline.mean;
        findings.push({
          scope,
          verdict: ma < mb ? 'supported' : 'not supported',
          detail: `train acc at best epoch ${f4(ma)} vs ${f4(mb)} unregularised (${signed(ma - mb)}; ${a.size === 1 && b.size === 1 ? 'one run each' : `${a.size} and ${b.size} seeds, means`})`,
        });
      }
    }
    const sweep = sweeps.find((x) => x.model === model);
    for (const penalty of (sweep?.penalties ?? []) as LinePenalty[]) {
      const points = linePoints(sweep!, penalty).flatMap((p): LambdaComparison[] => {
        const c = compared.get(settingKey(p.l1, p.l2));
        return c ? [{ lambda: p.lambda, l1: p.l1, l2: p.l2, ...c }] : [];
      });
      if (points.length) lines.push({ model, penalty, quantity, points, statement: lineStatement(model, penalty, quantity, points) });
    }
  }
  return { id: 2, claim: claimTexts[2], operationalisation: operationalisations[2], findings, ...combineFindings(findings), ...(lines.length ? { lines } : {}) };
}

/** Claim 3 (a): when a ResNet-18 run starts to overfit. */
function overfitFinding(r: ClaimRun): Finding {
  const scope = `ResNet-18 ${setting(r.l1, r.l2)}, seed ${r.seed}`;
  const low = lowestValLoss(r.history)!;
  const best = bestValEpoch(r.history)!;
  const n = r.history.length;
  const tail = `best val acc at epoch ${best.epoch}`;
  if (low.atLastEpoch) {
    return n > CLAIM3_OVERFIT_BY
      ? { scope, verdict: 'not supported', detail: `val loss lowest at the last epoch ${low.epoch} of ${n}: no overfitting within ${CLAIM3_OVERFIT_BY} epochs; ${tail}` }
      : { scope, verdict: 'cannot tell', detail: `too few epochs: val loss still falling at the last epoch ${low.epoch} of ${n} (need more than ${CLAIM3_OVERFIT_BY} to see); ${tail}` };
  }
  const trainFell = r.history[n - 1]!.trainLoss < r.history[low.index]!.trainLoss;
  if (!trainFell) {
    return { scope, verdict: 'not supported', detail: `val loss lowest at epoch ${low.epoch} of ${n}, but the train loss did not fall after it (not overfitting); ${tail}` };
  }
  return {
    scope,
    verdict: low.epoch <= CLAIM3_OVERFIT_BY ? 'supported' : 'not supported',
    detail: `overfits from epoch ${low.epoch} of ${n} (lowest val loss; train loss falls on); ${tail}`,
  };
}

/** Claim 3: ResNet-18 overfits early (a) yet has the best validation accuracy (b). */
export function checkClaim3(runs: readonly ClaimRun[]): ClaimResult {
  const resnet = runs.filter((r) => r.model === 'resnet18');
  const base = { id: 3 as const, claim: claimTexts[3], operationalisation: operationalisations[3] };
  if (!resnet.length) {
    const findings: Finding[] = [{ scope: 'ResNet-18', verdict: 'cannot tell', detail: 'no ResNet-18 run: nothing to check' }];
    return { ...base, findings, verdict: 'cannot tell', reason: 'no ResNet-18 run' };
  }
  const a = resnet.map(overfitFinding);
  const b: Finding[] = [];
  const bestVal = (rs: readonly ClaimRun[]): number => mean(rs.map((r) => bestValEpoch(r.history)!.valAccuracy));
  const settings = [...new Map(resnet.map((r) => [`${r.l1}/${r.l2}`, { l1: r.l1, l2: r.l2 }])).values()];
  for (const s of settings) {
    const scope = `best val acc, ${setting(s.l1, s.l2)}`;
    const same = runs.filter((r) => r.l1 === s.l1 && r.l2 === s.l2);
    const others = modelsOf(same).filter((m) => m !== 'resnet18');
    if (!others.length) {
      b.push({ scope, verdict: 'cannot tell', detail: 'no other model ran this setting: nothing to compare with' });
      continue;
    }
    const mine = bestVal(same.filter((r) => r.model === 'resnet18'));
    const theirs = others.map((m) => ({ m, v: bestVal(same.filter((r) => r.model === m)) }));
    b.push({
      scope,
      verdict: theirs.every((t) => mine > t.v) ? 'supported' : 'not supported',
      detail: `ResNet-18 ${f4(mine)} vs ${theirs.map((t) => `${title(t.m)} ${f4(t.v)}`).join(', ')}`,
    });
  }
  const ca = combineFindings(a);
  const cb = combineFindings(b);
  const verdict: Verdict =
    ca.verdict === 'not supported' || cb.verdict === 'not supported' ? 'not supported' : ca.verdict === 'supported' && cb.verdict === 'supported' ? 'supported' : 'cannot tell';
  const reason = `(a) overfits within ${CLAIM3_OVERFIT_BY} epochs: ${ca.verdict} (${ca.reason}); (b) generalises best: ${cb.verdict} (${cb.reason})`;
  return { ...base, findings: [...a.map((f) => ({ ...f, scope: `(a) ${f.scope}` })), ...b.map((f) => ({ ...f, scope: `(b) ${f.scope}` }))], verdict, reason };
}

/**
 * Claim 4: do the seeds resolve the differences to the unregularised setting? For a model in
 * `sweeps` also per line and lambda ({@link ClaimResult.lines}, the sweep table's CIs).
 */
export function checkClaim4(diffs: readonly SettingDifference[], sweeps: readonly ModelSweep[] = []): ClaimResult {
  const lines = bestValAccuracyLines(sweeps);
  const base = { id: 4 as const, claim: claimTexts[4], operationalisation: operationalisations[4], ...(lines.length ? { lines } : {}) };
  const findings: Finding[] = diffs.map((d) => {
    const scope = `${title(d.model)}, ${setting(d.l1, d.l2)} vs unregularised`;
    if (!d.ci) {
      return { scope, verdict: 'cannot tell', detail: `one seed: ${d.seeds} and ${d.baselineSeeds} runs, a CI needs more than one in both` };
    }
    const open = d.ci.lower <= 0 && d.ci.upper >= 0;
    return { scope, verdict: open ? 'supported' : 'not supported', detail: `best val acc difference ${ciText(d.ci)} (${d.seeds} seeds): ${open ? 'contains 0, unresolved' : 'excludes 0, resolved'}` };
  });
  const decided = findings.filter((f) => f.verdict !== 'cannot tell');
  if (!diffs.length) return { ...base, findings, verdict: 'cannot tell', reason: 'no regularised setting with an unregularised one to compare with' };
  if (!decided.length) {
    const multi = diffs.some((d) => d.seeds > 1 || d.baselineSeeds > 1);
    return { ...base, findings, verdict: 'cannot tell', reason: multi ? 'no comparison has more than one seed on both sides' : 'one seed per setting: the seed-to-seed spread cannot be estimated from single runs' };
  }
  const open = decided.filter((f) => f.verdict === 'supported').length;
  return {
    ...base,
    findings,
    verdict: open * 2 >= decided.length ? 'supported' : 'not supported',
    reason: `${open} of ${decided.length} differences with a CI contain 0${decided.length < findings.length ? ` (${findings.length - decided.length} without a CI)` : ''}`,
  };
}

/** All four claims on one set of runs (claims 2 and 4 also per lambda on the models in `sweeps`). */
export function checkClaims(runs: readonly ClaimRun[], diffs: readonly SettingDifference[], sweeps: readonly ModelSweep[] = []): ClaimResult[] {
  return [checkClaim1(runs), checkClaim2(runs, sweeps), checkClaim3(runs), checkClaim4(diffs, sweeps)];
}
