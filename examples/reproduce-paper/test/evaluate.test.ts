// `reproduce-paper evaluate`: the built CLI trains one tiny run (synthetic twin, New model, 2 epochs),
// then evaluates its kept best and last weights; the printed accuracy must be the run's history's.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArgs, parseEvaluateArgs } from '../src/cli/args';

const cli = resolve(__dirname, '../dist/cli.js');
let work: string;

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: work, env: { ...process.env, INIT_CWD: work }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const dataFlags = ['--classes', '2', '--per-class', '4', '--val-per-class', '3', '--cache', 'cache', '--backend', 'wasm', '--threads', '1'];
const runId = 'new_l1-0.0001_l2-0_seed-0';
const number = (text: string, label: RegExp): number => {
  const m = label.exec(text);
  if (!m) throw new Error(`no ${String(label)} in:\n${text}`);
  return Number(m[1]);
};

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build first (pnpm --filter reproduce-paper build)`);
  work = mkdtempSync(join(tmpdir(), 'reproduce-paper-evaluate-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('reproduce-paper evaluate', () => {
  it('parses --run, --which and the data flags; --no-keep-weights turns keeping off', () => {
    const a = parseEvaluateArgs(['--run', 'r', '--which', 'last', '--data', 'd', '--classes', '5']);
    expect(a).toMatchObject({ run: 'r', which: 'last', cli: { data: 'd', classes: 5 } });
    expect(parseEvaluateArgs(['--run', 'r']).which).toBe('best');
    expect(() => parseEvaluateArgs(['--which', 'best'])).toThrow(/evaluate --run: required/);
    expect(() => parseEvaluateArgs(['--run', 'r', '--which', 'first'])).toThrow(/--which: "first" is not one of best, last/);
    expect(() => parseEvaluateArgs(['--run', 'r', '--epochs', '3'])).toThrow(/evaluate: .*--epochs/);
    expect(parseCliArgs([]).keepWeights).toBe(true);
    expect(parseCliArgs(['--no-keep-weights']).keepWeights).toBe(false);
  });

  it("prints the val accuracy of the kept best and last weights, equal to the run's history at that epoch", async () => {
    const train = await runCli([...dataFlags, '--models', 'new', '--l1', '0.0001', '--l2', '0', '--epochs', '2', '--batch-size', '3', '--out', 'out', '--no-report', '--quiet']);
    expect(train.code, train.stderr).toBe(0);
    const dir = join(work, 'out', 'study', runId);
    // checkpoint/ is pruned after a finished run; the weights stay
    expect(readdirSync(dir)).not.toContain('checkpoint');
    expect(readdirSync(join(dir, 'model')).sort()).toEqual(['best', 'last']);
    const history = JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8')) as { epoch: number; valAccuracy: number; valLoss: number }[];
    const status = JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as { best: { epoch: number } };

    for (const which of ['best', 'last'] as const) {
      const r = await runCli(['evaluate', '--run', join('out', 'study', runId), '--which', which, ...dataFlags]);
      expect(r.code, r.stderr).toBe(0);
      const epoch = number(r.stdout, new RegExp(`\\(${which} weights, epoch (\\d+)\\)`));
      expect(epoch).toBe(which === 'best' ? status.best.epoch : 2);
      const rec = history.find((h) => h.epoch === epoch)!;
      expect(number(r.stdout, /^val accuracy: ([\d.]+) \(6 images\)$/m)).toBeCloseTo(rec.valAccuracy, 6);
      expect(number(r.stdout, /^val loss: ([\d.]+) /m)).toBeCloseTo(rec.valLoss, 4);
    }
  });

  it('refuses data flags that do not give the val split the run used, and a folder that is no run', async () => {
    const wrong = await runCli(['evaluate', '--run', join('out', 'study', runId), ...dataFlags.map((f) => (f === '3' ? '2' : f))]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/validated on 6 images of 2 classes .*these data flags give 4 of 2/);
    const none = await runCli(['evaluate', '--run', 'out', ...dataFlags]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/out\/config\.json not found/);
  });
});
