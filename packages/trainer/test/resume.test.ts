import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EpochRecord } from '../src/index';

const script = join(__dirname, 'fixtures', 'resume-run.mjs');
const EPOCHS = 5;

interface RunOutput { status: string; resumedFromEpoch: number; history: EpochRecord[]; weights: number[][] }

/** Runs the fixture; when `killWhen` matches a printed event, SIGKILLs the child. Resolves how it ended. */
function runChild(dir: string, out: string, sleepMs: number, killWhen?: (e: { type: string; epoch?: number; batch?: number }) => boolean) {
  return new Promise<{ killed: boolean; code: number | null }>((resolve, reject) => {
    const child = spawn(process.execPath, [script, dir, out, String(EPOCHS), String(sleepMs)], { cwd: __dirname, stdio: ['ignore', 'pipe', 'pipe'] });
    let killed = false;
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (!killed && killWhen?.(JSON.parse(line) as { type: string })) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!killed && code !== 0) reject(new Error(`child failed (${code}): ${stderr}`));
      else resolve({ killed, code });
    });
  });
}

const comparable = (h: EpochRecord[]) => h.map(({ epochSeconds: _s, imagesPerSecond: _i, ...rest }) => rest);

describe('kill -9 and resume (built dist, child process)', () => {
  it('ends with the same history and weights as an uninterrupted run', async () => {
    const root = mkdtempSync(join(tmpdir(), 'regstudy-resume-'));
    const straightOut = join(root, 'straight.json');
    await runChild(join(root, 'straight'), straightOut, 0);
    const straight = JSON.parse(readFileSync(straightOut, 'utf8')) as RunOutput;
    expect(straight.status).toBe('completed');
    expect(straight.history).toHaveLength(EPOCHS);

    const dir = join(root, 'killed');
    const out = join(root, 'killed.json');
    // 1st kill: the moment epoch 2 is reported, racing the checkpoint write of epoch 2.
    const first = await runChild(dir, out, 5, (e) => e.type === 'epoch' && e.epoch === 2);
    expect(first.killed).toBe(true);
    // 2nd kill: in the middle of epoch 4.
    const second = await runChild(dir, out, 5, (e) => e.type === 'batch' && e.epoch === 4 && e.batch === 3);
    expect(second.killed).toBe(true);
    expect(existsSync(out)).toBe(false);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { epoch: number };
    expect(manifest.epoch).toBe(3);
    await runChild(dir, out, 0);
    const resumed = JSON.parse(readFileSync(out, 'utf8')) as RunOutput;
    expect(resumed.status).toBe('completed');
    expect(resumed.resumedFromEpoch).toBe(3);
    expect(comparable(resumed.history)).toEqual(comparable(straight.history));
    expect(resumed.weights).toEqual(straight.weights);
  });
});
