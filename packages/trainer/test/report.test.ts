import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EpochRecord, RunConfig, RunStatus, StudyManifest } from '../src/index';
import { bootstrapDiffCI, buildReport, mean, std } from '../src/report';

describe('stats', () => {
  it('mean and sample std by hand', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    // sum of squared deviations = 2.25+0.25+0.25+2.25 = 5; /3; sqrt
    expect(std([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(std([7])).toBe(0);
  });
  it('bootstrap CI: constant paired differences give a point interval; seeded and reproducible', () => {
    const ci = bootstrapDiffCI([0.5, 0.6, 0.7], [0.4, 0.5, 0.6], { paired: true, seed: 1 });
    expect(ci.estimate).toBeCloseTo(0.1, 12);
    expect(ci.lower).toBeCloseTo(0.1, 12);
    expect(ci.upper).toBeCloseTo(0.1, 12);
    const a = [0.31, 0.35, 0.29, 0.4];
    const b = [0.3, 0.28, 0.27, 0.26];
    const u1 = bootstrapDiffCI(a, b, { paired: false, seed: 3 });
    const u2 = bootstrapDiffCI(a, b, { paired: false, seed: 3 });
    expect(u1).toEqual(u2);
    expect(u1.lower).toBeLessThanOrEqual(u1.estimate);
    expect(u1.upper).toBeGreaterThanOrEqual(u1.estimate);
    // the bootstrap distribution of a mean difference lies within [min diff, max diff] of the data
    expect(u1.lower).toBeGreaterThanOrEqual(Math.min(...a) - Math.max(...b));
    expect(u1.upper).toBeLessThanOrEqual(Math.max(...a) - Math.min(...b));
  });
});

/** Writes a run directory with a hand-made history (train acc, val acc per epoch). */
function writeRun(studyDir: string, model: string, l1: number, l2: number, seed: number, gridIndex: number, curve: [number, number][]): RunConfig {
  const runId = `${model}_l1-${l1}_l2-${l2}_seed-${seed}`;
  const dir = join(studyDir, runId);
  mkdirSync(dir, { recursive: true });
  const config: RunConfig = {
    runId, model, seed, epochs: curve.length, gridIndex, batchSize: 100, numClasses: 200, trainCount: 10, valCount: 10,
    regularization: { l1, l2, l2Mode: 'weight-decay', select: 'all', proximalL1: 0, decoupledDecay: 0 },
    optimizer: { kind: 'sgd', learningRate: 0.001, momentum: 0.9 },
  };
  const history: EpochRecord[] = curve.map(([tr, va], i) => ({
    epoch: i + 1, trainLoss: 2 - i * 0.1, trainPenalty: l1 ? 0.01 : 0, trainTotalLoss: 2 - i * 0.1 + (l1 ? 0.01 : 0),
    trainAccuracy: tr, valLoss: 2.1 - i * 0.05, valDataLoss: 2.1 - i * 0.05, valAccuracy: va, learningRate: 0.001, epochSeconds: 1, imagesPerSecond: 10,
  }));
  const status: RunStatus = { runId, status: 'completed', epochsCompleted: curve.length, best: null, updatedAt: 'x' };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  writeFileSync(join(dir, 'history.json'), JSON.stringify(history));
  writeFileSync(join(dir, 'status.json'), JSON.stringify(status));
  return config;
}

describe('buildReport (from result files only)', () => {
  it('writes the paper-style table with hand-checked numbers, CIs, SVG figures and one HTML page', async () => {
    const studyDir = mkdtempSync(join(tmpdir(), 'regstudy-report-'));
    const configs = [
      // unregularised: best val 0.20 @2 (train 0.30) and 0.22 @3 (train 0.40)
      writeRun(studyDir, 'initial', 0, 0, 0, 0, [[0.1, 0.1], [0.3, 0.2], [0.5, 0.15]]),
      writeRun(studyDir, 'initial', 0, 0, 1, 1, [[0.1, 0.12], [0.2, 0.18], [0.4, 0.22]]),
      // l1: best 0.25 @1 (tie later at 0.25 -> first) and 0.27 @2
      writeRun(studyDir, 'initial', 0.0001, 0, 0, 2, [[0.2, 0.25], [0.3, 0.25], [0.35, 0.2]]),
      writeRun(studyDir, 'initial', 0.0001, 0, 1, 3, [[0.2, 0.2], [0.25, 0.27], [0.3, 0.26]]),
    ];
    const manifest: StudyManifest = { version: 1, runs: [...configs, { ...configs[0]!, runId: 'initial_l1-0_l2-0.0001_seed-0', gridIndex: 4 }] };
    writeFileSync(join(studyDir, 'study.json'), JSON.stringify(manifest));
    const outDir = join(studyDir, 'out');
    const report = await buildReport({
      studyDir, outDir,
      reference: { source: 'Paper, Table 1', models: { initial: { rows: [{ l1: 0, l2: 0, trainAccuracy: 0.2907, valAccuracy: 0.1323, epoch: 22 }],
        curves: [{ l1: 0, l2: 0, history: [{ epoch: 1, valAccuracy: 0.05 }, { epoch: 2, valAccuracy: 0.08 }] }] } } },
    });
    expect(report.missing).toEqual(['initial_l1-0_l2-0.0001_seed-0']);
    const [table] = report.tables;
    const [base, l1] = table!.rows;
    expect(base!.valAccuracy.values).toEqual([0.2, 0.22]);
    expect(base!.trainAccuracy.values).toEqual([0.3, 0.4]);
    expect(base!.epoch.values).toEqual([2, 3]);
    expect(base!.valAccuracy.mean).toBeCloseTo(0.21, 12);
    expect(base!.valAccuracy.std).toBeCloseTo(Math.sqrt(2 * 0.01 ** 2), 12);
    expect(l1!.valAccuracy.values).toEqual([0.25, 0.27]);
    expect(l1!.epoch.values).toEqual([1, 2]);
    expect(l1!.trainAccuracy.values).toEqual([0.2, 0.25]);
    // paired by seed: differences 0.05 and 0.05 -> CI [0.05, 0.05]
    expect(l1!.diffVsUnregularized!.kind).toBe('paired');
    expect(l1!.diffVsUnregularized!.estimate).toBeCloseTo(0.05, 12);
    expect(l1!.diffVsUnregularized!.lower).toBeCloseTo(0.05, 12);
    expect(base!.diffVsUnregularized).toBeNull();
    const md = readFileSync(join(outDir, 'tables', 'initial.md'), 'utf8');
    expect(md).toContain('| 0 | 0 | 0.3500 ± 0.0707 | 0.2100 ± 0.0141 | 2.5 ± 0.7 | 2 |  | 0.2907 | 0.1323 | 22 |');
    expect(md).toContain('| 0.0001 | 0 | 0.2250 ± 0.0354 | 0.2600 ± 0.0141 | 1.5 ± 0.7 | 2 | +0.0500 [+0.0500, +0.0500] |');
    const csv = readFileSync(join(outDir, 'tables', 'initial.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[1]!.startsWith('initial,l1-0_l2-0,0,0,2,0 1,0.35,')).toBe(true);
    const svg = readFileSync(join(outDir, 'figures', 'initial_l1-0_l2-0_seed-0.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Paper, Table 1'); // the reference curve's legend entry
    expect(readFileSync(join(outDir, 'figures', 'overlay-initial.svg'), 'utf8')).toContain('l1-0.0001_l2-0');
    const html = readFileSync(join(outDir, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|src="http|href="http/);
    expect((html.match(/<figure/g) ?? []).length).toBe(1 + 4);
  });

  it('names the field of bad options and the missing study dir', async () => {
    await expect(buildReport({ studyDir: '' })).rejects.toThrow("buildReport(): option 'studyDir': expected a string of at least 1 character, got \"\"");
    await expect(buildReport({ studyDir: '/nonexistent/x' })).rejects.toThrow(/\/nonexistent\/x/);
  });
});
