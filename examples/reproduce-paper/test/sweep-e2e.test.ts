// End to end, in-process: `--preset sweep` on the synthetic twin (its quick sizes: the New model,
// the preset's 7 settings, 2 seeds, 3 epochs), then the sweep figures, and the sweep table's values
// recomputed here from the runs' own history.json files.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/main';

let work: string;
let code: number;
let stderr = '';
let stdout = '';
let seconds = 0;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'reproduce-paper-sweep-e2e-'));
  const t0 = Date.now();
  code = await main(['--preset', 'sweep', '--backend', 'wasm', '--cache', 'cache', '--out', 'out', '--quiet'], {
    out: { write: (t: string) => (stdout += t) },
    err: { write: (t: string) => (stderr += t) },
    cwd: work,
  });
  seconds = (Date.now() - t0) / 1000;
}, 170_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const out = (...p: string[]): string => join(work, 'out', ...p);
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

interface Epoch {
  epoch: number;
  trainAccuracy: number;
  valAccuracy: number;
  weightStats?: { total: { fractionNearZero: number; l1: number; l2: number } };
}
interface Config {
  model: string;
  seed: number;
  regularization: { l1: number; l2: number };
}
interface Cell {
  values: number[];
  mean: number;
  lower: number;
  upper: number;
  diff: { estimate: number; lower: number; upper: number } | null;
  excludesZero: boolean | null;
}
interface Point {
  model: string;
  penalty: string;
  l1: number;
  l2: number;
  seeds: number[];
  metrics: Record<string, Cell>;
}

/** The runs of the study folder, as the files have them. */
function runsOnDisk(): { config: Config; history: Epoch[] }[] {
  const dir = out('study');
  return readdirSync(dir)
    .filter((id) => existsSync(join(dir, id, 'history.json')))
    .map((id) => ({ config: readJson<Config>(join(dir, id, 'config.json')), history: readJson<Epoch[]>(join(dir, id, 'history.json')) }));
}

/** The epoch of highest val accuracy, first on ties (what the tables call the best epoch). */
function best(h: readonly Epoch[]): Epoch {
  return h.reduce((b, e) => (e.valAccuracy > b.valAccuracy ? e : b));
}

const avg = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('--preset sweep on the synthetic twin, end to end', () => {
  it('trains the 14 quick runs (New, 7 settings, 2 seeds, 3 epochs) and exits 0', () => {
    expect(stderr).not.toMatch(/reproduce-paper: /);
    expect(code).toBe(0);
    expect(stdout).toContain('runs: 14 completed, 0 skipped (already done), 0 failed');
    const runs = runsOnDisk();
    expect(runs).toHaveLength(14);
    for (const r of runs) {
      expect(r.config.model).toBe('new');
      expect(r.history.map((e) => e.epoch)).toEqual([1, 2, 3]);
      expect(r.history.every((e) => e.weightStats !== undefined)).toBe(true);
    }
    expect(new Set(runs.map((r) => r.config.seed))).toEqual(new Set([0, 1]));
    // Logged, not asserted: the time depends on the machine's load.
    console.log(`sweep --preset quick sizes: ${seconds.toFixed(1)} s in-process (training + report)`);
  });

  it('draws the sweep and the weights-over-epochs figures as SVG files and into report.html', () => {
    for (const f of ['sweep-new.svg', 'weights-new.svg']) {
      const svg = readFileSync(out('figures', f), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.length).toBeGreaterThan(1000);
    }
    expect(readFileSync(out('figures', 'sweep-new.svg'), 'utf8')).toContain('best val accuracy');
    const html = readFileSync(out('report.html'), 'utf8');
    expect(html).toContain('best val accuracy');
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(2 + 14);
    expect(existsSync(out('tables', 'sweep-new.md'))).toBe(true);
  });

  it("has sweep.json and sweep.csv values that follow from the runs' history.json", () => {
    const runs = runsOnDisk();
    const sweeps = readJson<{ model: string; penalties: string[]; points: Point[] }[]>(out('tables', 'sweep.json'));
    expect(sweeps.map((s) => s.model)).toEqual(['new']);
    expect(sweeps[0]!.penalties).toEqual(['L1', 'L2']);
    const points = sweeps[0]!.points;
    expect(points).toHaveLength(7);
    const csv = readFileSync(out('tables', 'sweep.csv'), 'utf8').trim().split('\n');
    const cols = csv[0]!.split(',');
    const rows = csv.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
    expect(rows).toHaveLength(7 * 5);
    const zero = points.find((p) => p.l1 === 0 && p.l2 === 0)!;
    for (const p of points) {
      const mine = runs.filter((r) => r.config.regularization.l1 === p.l1 && r.config.regularization.l2 === p.l2).sort((a, b) => a.config.seed - b.config.seed);
      expect(mine.map((r) => r.config.seed)).toEqual([0, 1]);
      expect(p.seeds).toEqual([0, 1]);
      const expected: Record<string, number[]> = {
        bestValAccuracy: mine.map((r) => best(r.history).valAccuracy),
        gap: mine.map((r) => best(r.history).trainAccuracy - best(r.history).valAccuracy),
        fractionNearZero: mine.map((r) => r.history[r.history.length - 1]!.weightStats!.total.fractionNearZero),
        l1Norm: mine.map((r) => r.history[r.history.length - 1]!.weightStats!.total.l1),
      };
      for (const [metric, values] of Object.entries(expected)) {
        const cell = p.metrics[metric]!;
        expect(cell.values).toEqual(values);
        expect(cell.mean).toBeCloseTo(avg(values), 12);
        // The 95% bootstrap band brackets the mean and lies within the seeds' range.
        expect(cell.lower).toBeLessThanOrEqual(cell.mean + 1e-12);
        expect(cell.upper).toBeGreaterThanOrEqual(cell.mean - 1e-12);
        expect(cell.lower).toBeGreaterThanOrEqual(Math.min(...values) - 1e-12);
        expect(cell.upper).toBeLessThanOrEqual(Math.max(...values) + 1e-12);
        if (p === zero) {
          expect(cell.diff).toBeNull();
        } else {
          const base = zero.metrics[metric]!;
          expect(cell.diff!.estimate).toBeCloseTo(cell.mean - base.mean, 12);
          expect(cell.diff!.lower).toBeLessThanOrEqual(cell.diff!.estimate + 1e-12);
          expect(cell.diff!.upper).toBeGreaterThanOrEqual(cell.diff!.estimate - 1e-12);
          expect(cell.excludesZero).toBe(cell.diff!.lower > 0 || cell.diff!.upper < 0);
        }
        const row = rows.find((r) => r.metric === metric && Number(r.l1) === p.l1 && Number(r.l2) === p.l2)!;
        expect(Number(row.mean)).toBeCloseTo(avg(values), 12);
        expect(Number(row.ci_low)).toBe(cell.lower);
        expect(Number(row.ci_high)).toBe(cell.upper);
        expect(row.n).toBe('2');
        expect(row.diff_vs_lambda0 === '' ? null : Number(row.diff_vs_lambda0)).toBe(cell.diff ? cell.diff.estimate : null);
      }
    }
  });

  it('states claims 2 and 4 per lambda with bootstrap CIs, from the same histories', () => {
    interface Line { model: string; penalty: string; points: { lambda: number; l1: number; l2: number; mean: { mean: number; lower: number; upper: number }; baseline: { mean: number }; diff: { estimate: number; lower: number; upper: number } | null; direction: string | null }[]; statement: string }
    const claims = readJson<{ ours: { id: number; lines?: Line[] }[]; original: { lines?: Line[] }[] }>(out('claims.json'));
    expect(claims.original.every((c) => c.lines === undefined)).toBe(true);
    const runs = runsOnDisk();
    const trainAt = (l1: number, l2: number) => avg(runs.filter((r) => r.config.regularization.l1 === l1 && r.config.regularization.l2 === l2).map((r) => best(r.history).trainAccuracy));
    const valAt = (l1: number, l2: number) => avg(runs.filter((r) => r.config.regularization.l1 === l1 && r.config.regularization.l2 === l2).map((r) => best(r.history).valAccuracy));
    for (const [id, of] of [[2, trainAt], [4, valAt]] as const) {
      const lines = claims.ours.find((c) => c.id === id)!.lines!;
      expect(lines.map((l) => `${l.model} ${l.penalty} ${l.points.map((p) => p.lambda).join(',')}`)).toEqual(['new L1 0.00001,0.0001,0.001', 'new L2 0.00001,0.0001,0.001']);
      for (const p of lines.flatMap((l) => l.points)) {
        expect(p.mean.mean).toBeCloseTo(of(p.l1, p.l2), 12);
        expect(p.baseline.mean).toBeCloseTo(of(0, 0), 12);
        expect(p.diff!.estimate).toBeCloseTo(of(p.l1, p.l2) - of(0, 0), 12);
        expect(p.direction).toBe(p.diff!.upper < 0 ? 'lower' : p.diff!.lower > 0 ? 'higher' : 'unresolved');
      }
    }
    const html = readFileSync(out('report.html'), 'utf8');
    expect(html).toContain('New Model, L1: train accuracy at the best epoch');
    expect(html).toContain('New Model, L2: best val accuracy');
  });
});
