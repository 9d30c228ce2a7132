import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
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

  it('prepare: a bad image names --skip-bad-images; with it, and with unannotated val images, warning lines', async () => {
    const dir = tempDir();
    await cli(['synth', dir, '--classes', '2', '--train-per-class', '3', '--val-per-class', '2', '--seed', '4']);
    const root = join(dir, 'tiny-imagenet-200');
    const w = readdirSync(join(root, 'train')).sort()[0]!;
    const bad = join(root, 'train', w, 'images', `${w}_1.JPEG`);
    truncateSync(bad, Math.floor(statSync(bad).size / 2));
    const val = join(root, 'val', 'images');
    copyFileSync(join(val, readdirSync(val).sort()[0]!), join(val, 'val_77.JPEG'));
    const cache = join(dir, 'cache');
    const failed = await cli(['prepare', root, '--cache', cache]).catch((e: { stderr: string }) => e);
    expect(failed.stderr).toMatch(/_1\.JPEG: cannot decode image \(.+\); pass --skip-bad-images to leave undecodable images out/);
    expect(failed.stderr).not.toContain('skipBadImages');
    const ok = await cli(['prepare', root, '--cache', cache, '--skip-bad-images']);
    expect(ok.stderr).toContain(`warning: ${root}: 1 train image could not be decoded and was left out: train/${w}/images/${w}_1.JPEG (`);
    expect(ok.stderr).toContain(`warning: ${root}: 1 val image has no line in val/val_annotations.txt and was left out (no label): val/images/val_77.JPEG (listed in unannotatedVal of ${join(cache, 'val.json')})`);
  });
});
