import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from './fixtures';

const run = promisify(execFile);
const cli = (args: string[]): Promise<{ stdout: string; stderr: string }> => run(process.execPath, ['dist/cli.js', ...args]);

describe('regstudy-tinyimagenet CLI (built dist/cli.js)', () => {
  it('synth, info and prepare work end to end', async () => {
    const dir = tempDir();
    const s = await cli(['synth', dir, '--classes', '3', '--train-per-class', '4', '--val-per-class', '2', '--zip', '--seed', '2']);
    expect(JSON.parse(s.stdout).counts).toEqual({ train: 12, val: 6, test: 0 });
    expect(s.stderr).toMatch(/synth\s+\[#+\]\s+100\.0%/); // final progress line
    const zip = join(dir, 'tiny-imagenet-200.zip');
    const info = JSON.parse((await cli(['info', zip, '--json'])).stdout);
    expect(info.kind).toBe('zip');
    expect(info.counts).toEqual({ train: 12, val: 6, test: 0 });
    expect(info.classes.map((c: { train: number }) => c.train)).toEqual([4, 4, 4]);
    const cache = join(dir, 'cache');
    const p = await cli(['prepare', zip, '--cache', cache, '--per-class', '2']);
    expect(p.stdout).toMatch(/train: 6 images, 3 classes/);
    expect(p.stdout).toMatch(/val: 6 images, 3 classes/);
    expect(existsSync(join(cache, 'train-all-2pc.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(cache, 'val-all-2pc.json'), 'utf8')).count).toBe(6);
    const ci = await cli(['info', cache]);
    expect(ci.stdout).toMatch(/train-all-2pc: train, 6 images, 3 classes/);
  });

  it('fails with a clear message and exit code 1', async () => {
    await expect(cli(['prepare', '/nonexistent/tin.zip', '--cache', tempDir()])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/regstudy-tinyimagenet: \/nonexistent\/tin\.zip: no such file or folder/),
    });
    await expect(cli(['frobnicate'])).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/unknown command 'frobnicate'/) });
    expect((await cli(['--help'])).stdout).toMatch(/Commands:/);
  });
});
