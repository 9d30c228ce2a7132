import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readStudyResults } from '../src/report';
import { fsCheckpointStore } from '../src/node';
import { RunConfigMismatchError, runStudy, type EpochRecord, type StudyEvent, type StudyOptions } from '../src/index';
import { tinyModel, tinySplit, useCpu } from './tiny-fixtures';

beforeAll(useCpu);

const data = (perClass = 20) => ({ train: tinySplit({ classes: 4, perClass, seed: 1 }), val: tinySplit({ classes: 4, perClass: 5, seed: 2, split: 'val' }) });
const mlp = { name: 'mlp', create: ({ seed, numClasses }: { seed: number; numClasses: number }) => tinyModel({ classes: numClasses, seed: seed + 1 }) };
const RUN = 'mlp_l1-0_l2-0_seed-0';
const base = (outDir: string): StudyOptions => ({
  models: [mlp],
  regularization: [{ l1: 0, l2: 0 }],
  epochs: 1,
  batchSize: 20,
  optimizer: { kind: 'sgd', learningRate: 0.05, momentum: 0.9 },
  data: data(),
  outDir,
});
const tmp = () => mkdtempSync(join(tmpdir(), 'regstudy-identity-'));
const epochsOf = (dir: string) => (JSON.parse(readFileSync(join(dir, RUN, 'history.json'), 'utf8')) as EpochRecord[]).map((r) => r.epoch);
const statusOf = (dir: string) => JSON.parse(readFileSync(join(dir, RUN, 'status.json'), 'utf8')) as { status: string; epochsCompleted: number };
/** The pid of a process that has exited (spawned and waited for). */
const deadPid = (): number => {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
};

describe('runStudy: a run is its whole config', () => {
  it('a restart with other settings stops with one line naming the folder and each field old -> new', async () => {
    const out = tmp();
    await runStudy({ ...base(out), dataFingerprint: 'A.zip classes=4' });
    const config = JSON.parse(readFileSync(join(out, RUN, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ batchSize: 20, optimizer: { learningRate: 0.05 }, numClasses: 4, trainCount: 80, valCount: 20, imageSize: 8, dataFingerprint: 'A.zip classes=4' });

    const events: StudyEvent[] = [];
    const changed = runStudy({ ...base(out), batchSize: 10, optimizer: { kind: 'sgd', learningRate: 0.01, momentum: 0.9 }, dataFingerprint: 'A.zip classes=4', onEvent: (e) => events.push(e) });
    await expect(changed).rejects.toBeInstanceOf(RunConfigMismatchError);
    const error = (await changed.catch((e: unknown) => e)) as RunConfigMismatchError;
    expect(error.message.split('\n')).toHaveLength(1);
    expect(error.message).toContain(join(out, RUN));
    expect(error.message).toContain('batchSize 20 -> 10');
    expect(error.message).toContain('optimizer.learningRate 0.05 -> 0.01');
    expect(error.message).toMatch(/use another outDir, or delete those run folders/);
    expect(error.message).not.toContain('momentum');
    expect(events.some((e) => e.type === 'train' || e.type === 'run-skip')).toBe(false);

    // other data: counts and the caller's fingerprint
    await expect(runStudy({ ...base(out), data: data(10), dataFingerprint: 'A.zip classes=4' })).rejects.toThrow('trainCount 80 -> 40');
    await expect(runStudy({ ...base(out), dataFingerprint: 'B.zip classes=4' })).rejects.toThrow('dataFingerprint "A.zip classes=4" -> "B.zip classes=4"');
    // the same settings (epochs aside) are the same run: skipped
    const same = await runStudy({ ...base(out), dataFingerprint: 'A.zip classes=4' });
    expect(same.runs.map((r) => r.status)).toEqual(['skipped']);
  });

  it('raising epochs continues a finished run from its checkpoint, or says it starts over when none is left', async () => {
    const out = tmp();
    await runStudy(base(out));
    const events: StudyEvent[] = [];
    const more = await runStudy({ ...base(out), epochs: 2, onEvent: (e) => events.push(e) });
    expect(more.runs.map((r) => r.status)).toEqual(['completed']);
    expect(events.find((e) => e.type === 'run-extend')).toMatchObject({ epochsCompleted: 1, epochs: 2, fromCheckpoint: true, message: `${RUN}: finished 1 epochs; continuing from its checkpoint to 2` });
    expect(events.find((e) => e.type === 'train' && e.event.type === 'start')).toMatchObject({ event: { resumed: true, startEpoch: 2 } });
    expect(epochsOf(out)).toEqual([1, 2]);

    rmSync(join(out, RUN, 'checkpoint'), { recursive: true });
    const again: StudyEvent[] = [];
    await runStudy({ ...base(out), epochs: 3, onEvent: (e) => again.push(e) });
    expect(again.find((e) => e.type === 'run-extend')).toMatchObject({ fromCheckpoint: false, message: `${RUN}: finished 2 epochs but has no checkpoint to continue from; starting it over for 3 epochs` });
    expect(again.find((e) => e.type === 'train' && e.event.type === 'start')).toMatchObject({ event: { resumed: false, startEpoch: 1 } });
    expect(epochsOf(out)).toEqual([1, 2, 3]);
    expect(statusOf(out)).toMatchObject({ status: 'completed', epochsCompleted: 3 });
  });

  it('lowering epochs keeps the run finished, and the report reads its first epochs only', async () => {
    const out = tmp();
    await runStudy({ ...base(out), epochs: 2 });
    const fewer = await runStudy({ ...base(out), epochs: 1 });
    expect(fewer.runs.map((r) => r.status)).toEqual(['skipped']);
    expect(epochsOf(out)).toEqual([1, 2]);
    const { runs } = await readStudyResults(out);
    expect(runs[0]!.history.map((r) => r.epoch)).toEqual([1]);
    expect(runs[0]!.config.epochs).toBe(1);
    expect(runs[0]!.status.best?.epoch).toBe(1);
  });
});

describe('runStudy: one writer per run', () => {
  it('two concurrent studies on one folder train each run once; the other is told who holds it', async () => {
    const out = tmp();
    const events: StudyEvent[] = [];
    const [a, b] = await Promise.all([runStudy(base(out)), runStudy({ ...base(out), onEvent: (e) => events.push(e) })]);
    expect([a.runs[0]!.status, b.runs[0]!.status].sort()).toEqual(['completed', 'locked']);
    if (b.runs[0]!.status === 'locked') {
      expect(events.find((e) => e.type === 'run-locked')).toMatchObject({ holder: { pid: process.pid, hostname: hostname() } });
    }
    expect(existsSync(join(out, RUN, 'lock'))).toBe(false);
  });

  it('a second process does not train a run whose lock a live process holds (built dist)', async () => {
    const out = tmp();
    const go = join(out, 'go');
    const child = spawn(process.execPath, [join(__dirname, 'fixtures', 'study-lock-run.mjs'), out, go], { cwd: __dirname, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('"holding"')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`child exited (${code}) before holding the lock: ${stderr}`)));
    });
    const events: StudyEvent[] = [];
    // the child's settings (see the fixture), so that only the lock stands in the way
    const childData = { train: tinySplit({ classes: 3, perClass: 10, seed: 1 }), val: tinySplit({ classes: 3, perClass: 3, seed: 2, split: 'val' }) };
    const mine = await runStudy({ models: [mlp], regularization: [{ l1: 0, l2: 0 }], epochs: 1, batchSize: 10, numClasses: 3, data: childData, outDir: out, onEvent: (e) => events.push(e) });
    expect(mine.runs).toMatchObject([{ runId: RUN, status: 'locked' }]);
    const locked = events.find((e) => e.type === 'run-locked');
    expect(locked).toMatchObject({ holder: { pid: child.pid, hostname: hostname() } });
    expect(locked && 'message' in locked ? locked.message : '').toContain(`locked by pid ${child.pid} on ${hostname()}`);
    expect(events.some((e) => e.type === 'train')).toBe(false);
    writeFileSync(go, '');
    expect(await exited).toBe(0);
    expect(stdout).toContain('"status":"completed"');
    expect(existsSync(join(out, RUN, 'lock'))).toBe(false);
  });

  it('a lock left by a dead process on this host is taken over; one from another host is not', async () => {
    const out = tmp();
    const pid = deadPid();
    mkdirSync(join(out, RUN), { recursive: true });
    writeFileSync(join(out, RUN, 'lock'), JSON.stringify({ pid, hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z', token: 'old' }));
    const events: StudyEvent[] = [];
    const r = await runStudy({ ...base(out), onEvent: (e) => events.push(e) });
    expect(r.runs.map((x) => x.status)).toEqual(['completed']);
    expect(events.find((e) => e.type === 'lock-takeover')).toMatchObject({ previous: { pid }, message: `${RUN}: took over the lock of pid ${pid} on ${hostname()} since 2026-01-01T00:00:00.000Z, which is no longer running` });
    expect(existsSync(join(out, RUN, 'lock'))).toBe(false);

    const other = tmp();
    mkdirSync(join(other, RUN), { recursive: true });
    writeFileSync(join(other, RUN, 'lock'), JSON.stringify({ pid, hostname: `not-${hostname()}`, startedAt: '', token: 'x' }));
    const r2 = await runStudy(base(other));
    expect(r2.runs.map((x) => x.status)).toEqual(['locked']);
  });

  it("a checkpoint save removes its own and dead writers' temp files, never a live process's", async () => {
    const dir = tmp();
    const live = `ckpt-000001.bin.tmp-${process.ppid}-1700000000000`;
    const dead = `ckpt-000001.bin.tmp-${deadPid()}-1700000000000`;
    writeFileSync(join(dir, live), 'in flight');
    writeFileSync(join(dir, dead), 'left over');
    await fsCheckpointStore(dir).save({ version: 1, epoch: 1, weights: [], optimizer: [], optimizerKind: 'sgd', rng: { seed: 0, nextEpoch: 2 }, history: [] });
    const names = readdirSync(dir);
    expect(names).toContain(live);
    expect(names).not.toContain(dead);
    expect(names).toContain('manifest.json');
  });
});
