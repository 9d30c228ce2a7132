// End to end: the built CLI in a fresh Node process on a very small preset (2 classes of the
// synthetic twin, a few images, 1-2 epochs, the New model), then the report files and numbers.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeSyntheticTinyImageNet } from '@regstudy/tinyimagenet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = resolve(__dirname, '../dist/cli.js');
let work: string;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `interruptWhen` sends SIGINT the first time stderr matches it. */
function runCli(args: string[], interruptWhen?: RegExp): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: work, env: { ...process.env, INIT_CWD: work }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (interruptWhen && !sent && interruptWhen.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const small = ['--models', 'new', '--l1', '0,0.0001', '--l2', '0', '--classes', '2', '--per-class', '4', '--val-per-class', '2', '--batch-size', '4', '--backend', 'wasm', '--cache', 'cache'];
const readJson = <T>(...p: string[]): T => JSON.parse(readFileSync(join(work, ...p), 'utf8')) as T;

interface EpochRec {
  epoch: number;
  trainAccuracy: number;
  valAccuracy: number;
  trainLoss: number;
  valLoss: number;
}

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build first (pnpm --filter reproduce-paper build)`);
  work = mkdtempSync(join(tmpdir(), 'reproduce-paper-e2e-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('reproduce-paper CLI, end to end', () => {
  it('rejects a bad flag with exit code 2, naming the flag', async () => {
    const r = await runCli(['--epochs', 'zero']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--epochs: expected a positive integer, got "zero"');
  });

  it('runs the grid, writes the report, and skips finished runs when run again', async () => {
    const r = await runCli([...small, '--epochs', '1', '--out', 'out1']);
    expect(r.stderr + r.stdout).toMatch(/wall time: \d+:\d\d/);
    expect(r.code).toBe(0);
    const ids = ['new_l1-0_l2-0_seed-0', 'new_l1-0.0001_l2-0_seed-0'];
    for (const id of ids) {
      const history = readJson<EpochRec[]>('out1', 'study', id, 'history.json');
      expect(history).toHaveLength(1);
      for (const e of history) {
        for (const a of [e.trainAccuracy, e.valAccuracy]) {
          expect(a).toBeGreaterThanOrEqual(0);
          expect(a).toBeLessThanOrEqual(1);
        }
        // 2 classes: with 4 val images the accuracy is a multiple of 1/4.
        expect(Number.isInteger(e.valAccuracy * 4)).toBe(true);
        expect(Number.isFinite(e.trainLoss) && Number.isFinite(e.valLoss)).toBe(true);
      }
      expect(readJson<{ status: string }>('out1', 'study', id, 'status.json').status).toBe('completed');
      expect(existsSync(join(work, 'out1', 'study', id, 'checkpoint'))).toBe(false); // pruned when finished
    }
    // With L1 = 1e-4 the logged val loss includes the penalty, so it exceeds the unregularised one
    // (both start from the same seed-0 weights).
    const h0 = readJson<EpochRec[]>('out1', 'study', ids[0]!, 'history.json')[0]!;
    const h1 = readJson<EpochRec[]>('out1', 'study', ids[1]!, 'history.json')[0]!;
    expect(h1.valLoss).toBeGreaterThan(h0.valLoss);

    const tables = readFileSync(join(work, 'out1', 'tables.md'), 'utf8');
    expect(tables).toMatch(/\| 0 \| 0 \|/);
    expect(tables).toMatch(/\| 0\.0001 \| 0 \|/);
    expect(tables).toContain('0.1571'); // the paper's Table 2 best val acc beside ours
    const csv = readFileSync(join(work, 'out1', 'tables', 'new.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(3); // header + 2 settings

    const run = readJson<{ backend: { name: string }; data: { kind: string; classes: number; trainCount: number; valCount: number }; runs: { completed: number }; wallSeconds: number; versions: Record<string, string> }>('out1', 'run.json');
    expect(run.backend.name).toBe('wasm');
    expect(run.data).toMatchObject({ kind: 'synthetic', classes: 2, trainCount: 8, valCount: 4 });
    expect(run.runs.completed).toBe(2);
    expect(run.wallSeconds).toBeGreaterThan(0);
    expect(run.versions['@regstudy/trainer']).toMatch(/^\d+\.\d+\.\d+/);

    const html = readFileSync(join(work, 'out1', 'report.html'), 'utf8');
    expect(html).toContain('Where the original logs and the tables disagree');
    expect(html).toContain('initmodel_l1-0.0001_l2-0.001_outputs.txt');
    expect(html).toContain('<svg');
    const figures = readdirSync(join(work, 'out1', 'figures'));
    expect(figures).toEqual(expect.arrayContaining(['overlay-new.svg', 'original-new.svg', `${ids[0]}.svg`, `${ids[1]}.svg`]));
    expect(readFileSync(join(work, 'out1', 'figures', 'original-new.svg'), 'utf8')).toContain('L1=1e-4, L2=1e-4');
    const reproduction = readFileSync(join(work, 'out1', 'reproduction.md'), 'utf8');
    expect(reproduction).toContain('| 0 | 0 | 0.2907 | 0.1323 | 22 | initmodel_l1-0_l2-0 | 0 (empty) |');

    // The paper's claims, checked on this run (from history.json) and on the original logs.
    expect(html).toContain('<section id="claims">');
    expect(html).toContain('The paper&#39;s claims, checked on this run');
    expect(reproduction).toContain("## The paper's claims, checked on this run");
    expect(reproduction.indexOf("## The paper's claims")).toBeLessThan(reproduction.indexOf("## The paper's tables against the original logs"));
    interface Claim { id: number; verdict: string; reason: string; findings: { scope: string; verdict: string; detail: string }[] }
    const claims = readJson<{ ours: Claim[]; original: Claim[] }>('out1', 'claims.json');
    expect(claims.original.map((c) => c.verdict)).toEqual(['supported', 'not supported', 'not supported', 'cannot tell']);
    const [c1, c2, c3, c4] = claims.ours;
    expect(c1!.verdict).toBe('cannot tell'); // no L2-only run in this grid
    expect(c3).toMatchObject({ verdict: 'cannot tell', reason: 'no ResNet-18 run' });
    expect(c4!.reason).toContain('one seed per setting');
    // Claim 2 compares the two runs' train accuracies at their best epoch (epoch 1), as history.json has them.
    expect(c2!.findings).toHaveLength(1);
    expect(c2!.findings[0]!.scope).toBe('New Model, L1=1e-4, L2=0');
    expect(c2!.findings[0]!.detail).toContain(`train acc at best epoch ${h1.trainAccuracy.toFixed(4)} vs ${h0.trainAccuracy.toFixed(4)} unregularised`);
    expect(c2!.verdict).toBe(h1.trainAccuracy < h0.trainAccuracy ? 'supported' : 'not supported');

    const again = await runCli([...small, '--epochs', '1', '--out', 'out1', '--quiet']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('runs: 0 completed, 2 skipped');

    const over = await runCli([...small, '--epochs', '1', '--out', 'out1', '--quiet', '--no-resume']);
    expect(over.code).toBe(0);
    expect(over.stdout).toContain('runs: 2 completed, 0 skipped');
    // --report-only trains nothing and finds both runs finished.
    const only = await runCli([...small, '--epochs', '1', '--out', 'out1', '--quiet', '--report-only']);
    expect(only.code).toBe(0);
    expect(only.stdout).toContain('runs: 0 completed, 2 skipped');
    expect(readJson<{ backend: { name: string } }>('out1', 'run.json').backend.name).toBe('none');
    expect((await runCli([...small, '--epochs', '1', '--out', 'nothing-here', '--report-only'])).stderr).toContain('--report-only: no run of this grid has results');
    // Same seed, same data, same backend: the redone runs give the same numbers.
    expect(readJson<EpochRec[]>('out1', 'study', ids[0]!, 'history.json')[0]!.valLoss).toBeCloseTo(h0.valLoss, 5);
  });

  it('downloads the data from a URL once, prepares it into the cache, and trains on it', async () => {
    const zipDir = join(work, 'zip');
    const ds = await writeSyntheticTinyImageNet(zipDir, { classes: 3, trainPerClass: 3, valPerClass: 2, seed: 7, zip: true, folder: false });
    const zipPath = ds.zipPath!;
    let requests = 0;
    const server: Server = createServer((req, res) => {
      requests += 1;
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(statSync(zipPath).size) });
      createReadStream(zipPath).pipe(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tiny-imagenet-200.zip`;
      const args = ['--models', 'new', '--l1', '0', '--l2', '0', '--epochs', '1', '--batch-size', '3', '--classes', '3', '--per-class', '3', '--val-per-class', '2', '--backend', 'wasm', '--cache', 'cache-url', '--data', url, '--out', 'out3', '--quiet'];
      const r = await runCli(args);
      expect(r.stderr + r.stdout).not.toMatch(/reproduce-paper: /);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`downloading ${url}`);
      const run = readJson<{ data: { kind: string; source: string; classes: number; trainCount: number; valCount: number } }>('out3', 'run.json');
      expect(run.data).toEqual(expect.objectContaining({ kind: 'tiny-imagenet', source: url, classes: 3, trainCount: 9, valCount: 6 }));
      const again = await runCli([...args, '--no-resume']);
      expect(again.code).toBe(0);
      expect(again.stderr).toContain('already downloaded');
      expect(requests).toBe(1);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('runs the paper preset on a data set folder (lr 0.001, batch as given, penalty mode)', async () => {
    const ds = await writeSyntheticTinyImageNet(join(work, 'folder'), { classes: 2, trainPerClass: 3, valPerClass: 2, seed: 3 });
    const r = await runCli(['--preset', 'paper', '--data', ds.root!, '--models', 'new', '--l1', '0', '--l2', '0.0001', '--l2-mode', 'penalty', '--epochs', '1', '--batch-size', '3', '--backend', 'wasm', '--cache', 'cache-folder', '--out', 'out4', '--quiet']);
    expect(r.code).toBe(0);
    const id = 'new_l1-0_l2-0.0001_l2mode-penalty_seed-0';
    const config = readJson<{ optimizer: { learningRate: number; momentum: number }; batchSize: number; regularization: { l2Mode: string } }>('out4', 'study', id, 'config.json');
    expect(config.optimizer).toEqual({ kind: 'sgd', learningRate: 0.001, momentum: 0.9 });
    expect(config.batchSize).toBe(3);
    expect(config.regularization.l2Mode).toBe('penalty');
    // In penalty mode the L2 term is part of the logged train loss.
    const h = readJson<{ trainPenalty: number }[]>('out4', 'study', id, 'history.json');
    expect(h[0]!.trainPenalty).toBeGreaterThan(0);
    expect(readJson<{ preset: string; data: { kind: string; trainCount: number } }>('out4', 'run.json')).toMatchObject({ preset: 'paper', data: { kind: 'tiny-imagenet', trainCount: 6 } });
  });

  it('--jobs 2 trains the shards in two processes at once and writes one report', async () => {
    const r = await runCli([...small, '--epochs', '1', '--out', 'out5', '--jobs', '2']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('jobs: 2 processes at once, 1 wasm thread each');
    for (const job of [0, 1]) expect(r.stderr).toMatch(new RegExp(`^\\[job ${job}/2\\] backend: wasm \\(1 thread\\)`, 'm'));
    // Round-robin shards: grid index 0 in job 0, 1 in job 1.
    expect(r.stderr).toMatch(/^\[job 0\/2\] \[1\/1\] new_l1-0_l2-0_seed-0/m);
    expect(r.stderr).toMatch(/^\[job 1\/2\] \[1\/1\] new_l1-0.0001_l2-0_seed-0/m);
    expect(r.stdout).toContain('runs: 2 completed, 0 skipped (already done), 0 failed');
    for (const id of ['new_l1-0_l2-0_seed-0', 'new_l1-0.0001_l2-0_seed-0']) {
      expect(readJson<{ status: string }>('out5', 'study', id, 'status.json').status).toBe('completed');
    }
    const run = readJson<{ backend: { name: string; threads: number; reason: string } }>('out5', 'run.json');
    expect(run.backend).toMatchObject({ name: 'wasm', threads: 1 });
    expect(run.backend.reason).toMatch(/^2 processes \(--jobs\), each: /);
    expect(existsSync(join(work, 'out5', 'report.html'))).toBe(true);
    // Again: both runs are found finished.
    const again = await runCli([...small, '--epochs', '1', '--out', 'out5', '--jobs', '2']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('runs: 0 completed, 2 skipped (already done), 0 failed');
  });

  it('--jobs 2: Ctrl-C stops both jobs with checkpoints, and the next invocation resumes', async () => {
    const args = [...small, '--epochs', '2', '--out', 'out6', '--jobs', '2'];
    const first = await runCli(args, /\[job \d\/2\] {3}epoch 1\/2 {2}train/);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('interrupted');
    const ids = ['new_l1-0_l2-0_seed-0', 'new_l1-0.0001_l2-0_seed-0'];
    expect(ids.some((id) => readJson<{ status: string }>('out6', 'study', id, 'status.json').status !== 'completed')).toBe(true);
    const second = await runCli(args);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/resuming after epoch 1/);
    for (const id of ids) expect(readJson<EpochRec[]>('out6', 'study', id, 'history.json').map((e) => e.epoch)).toEqual([1, 2]);
  });

  it('continues an interrupted study where it stopped', async () => {
    const args = [...small, '--l1', '0', '--epochs', '2', '--out', 'out2'];
    const first = await runCli(args, /epoch 1\/2 {2}train/);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('interrupted');
    const status = readJson<{ status: string; epochsCompleted: number }>('out2', 'study', 'new_l1-0_l2-0_seed-0', 'status.json');
    expect(status.status).not.toBe('completed');
    expect(existsSync(join(work, 'out2', 'study', 'new_l1-0_l2-0_seed-0', 'checkpoint'))).toBe(true); // kept to resume
    const second = await runCli(args);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/resuming after epoch 1/);
    const history = readJson<EpochRec[]>('out2', 'study', 'new_l1-0_l2-0_seed-0', 'history.json');
    expect(history.map((e) => e.epoch)).toEqual([1, 2]);
  });
});
