import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticTinyImageNet } from '@regstudy/tinyimagenet';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli/args';
import { resolvePlan } from '../src/cli/plan';
import { main } from '../src/main';
import { prepareData } from '../src/run/data';
import { epochsByModel, plannedRunIds, regularizationSpecs } from '../src/run/study';

const plan = (argv: string[]) => resolvePlan(parseCliArgs(argv), '/w');

describe('the grid of a plan', () => {
  it('paper preset: 12 runs, models x (l1, l2), run ids as the trainer names them', () => {
    const ids = plannedRunIds(plan(['--preset', 'paper']));
    expect(ids).toHaveLength(12);
    expect(ids.slice(0, 4)).toEqual([
      'initial_l1-0_l2-0_seed-0',
      'initial_l1-0_l2-0.0001_seed-0',
      'initial_l1-0.0001_l2-0_seed-0',
      'initial_l1-0.0001_l2-0.0001_seed-0',
    ]);
    expect(ids[11]).toBe('resnet18_l1-0.0001_l2-0.0001_seed-0');
    expect(epochsByModel(plan(['--preset', 'paper']))).toEqual({ initial: 50, new: 50, resnet18: 25 });
  });

  it('shards split the grid round-robin into disjoint slices that cover it', () => {
    const all = plannedRunIds(plan(['--preset', 'paper', '--seeds', '2']));
    expect(all).toHaveLength(24);
    const slices = [0, 1, 2, 3, 4].map((i) => plannedRunIds(plan(['--preset', 'paper', '--seeds', '2', '--shard', `${i}/5`])));
    expect(slices.map((s) => s.length)).toEqual([5, 5, 5, 5, 4]);
    expect(slices.flat().sort()).toEqual([...all].sort());
    expect(slices[0]![0]).toBe(all[0]);
    expect(slices[0]![1]).toBe(all[5]);
  });

  it('penalty mode is part of the run id and of the trainer spec', () => {
    const p = plan(['--l2-mode', 'penalty', '--models', 'new', '--l1', '0', '--l2', '0.0001']);
    expect(regularizationSpecs(p)).toEqual([{ l1: 0, l2: 1e-4, l2Mode: 'penalty', select: 'all', proximalL1: 0, decoupledDecay: 0 }]);
    expect(plannedRunIds(p)).toEqual(['new_l1-0_l2-0.0001_l2mode-penalty_seed-0']);
  });
});

describe('--preset sweep', () => {
  it('is each penalty alone at 0, 1e-5, 1e-4, 1e-3 with 3 seeds; the synthetic twin: New only, 2 seeds, 3 epochs; --l1/--l2 give the product again', async () => {
    const { parseCliArgs } = await import('../src/cli/args');
    const { resolvePlan } = await import('../src/cli/plan');
    const synth = resolvePlan(parseCliArgs(['--preset', 'sweep']), '/tmp');
    expect(synth.regularization).toEqual([
      { l1: 0, l2: 0 }, { l1: 1e-5, l2: 0 }, { l1: 1e-4, l2: 0 }, { l1: 1e-3, l2: 0 }, { l1: 0, l2: 1e-5 }, { l1: 0, l2: 1e-4 }, { l1: 0, l2: 1e-3 },
    ]);
    expect(synth.seeds).toBe(2);
    expect(synth.models).toEqual([{ name: 'new', epochs: 3 }]);
    // Flags still win on the twin.
    const flagged = resolvePlan(parseCliArgs(['--preset', 'sweep', '--models', 'initial,new', '--seeds', '3']), '/tmp');
    expect(flagged.models).toEqual([{ name: 'initial', epochs: 3 }, { name: 'new', epochs: 3 }]);
    expect(flagged.seeds).toBe(3);
    const real = resolvePlan(parseCliArgs(['--preset', 'sweep', '--data', '/x/tiny-imagenet-200']), '/tmp');
    expect(real.models).toEqual([{ name: 'initial', epochs: 30 }, { name: 'new', epochs: 30 }]);
    expect(real.seeds).toBe(3);
    expect(real.data).toMatchObject({ classes: 20, trainPerClass: 300, valPerClass: 50 });
    expect(resolvePlan(parseCliArgs(['--preset', 'sweep', '--l1', '0,1', '--l2', '0,2']), '/tmp').regularization).toHaveLength(4);
  });
});

// Data and --out mistakes, through main() in-process (no training: each stops before the first run).
describe('the CLI names its own flags for data and --out problems', () => {
  let root = '';
  const tmp = (): string => mkdtempSync(join(tmpdir(), 'rp-cli-'));
  const sink = () => {
    const lines: string[] = [];
    return { lines, write: (t: string) => void lines.push(t), text: () => lines.join('') };
  };
  beforeAll(async () => {
    // 4 classes, while the quick preset asks for 10.
    const ds = await writeSyntheticTinyImageNet(tmp(), { classes: 4, trainPerClass: 3, valPerClass: 2, seed: 3, grayscaleFraction: 0 });
    root = ds.root!;
  });
  const damaged = (): { dir: string; bad: string; extra: string[] } => {
    const dir = join(tmp(), 'tiny-imagenet-200');
    cpSync(root, dir, { recursive: true });
    const w0 = readdirSync(join(dir, 'train')).sort()[0]!;
    const bad = `train/${w0}/images/${w0}_1.JPEG`;
    truncateSync(join(dir, bad), Math.floor(statSync(join(dir, bad)).size / 2));
    const images = join(dir, 'val', 'images');
    const first = readdirSync(images).sort()[0]!;
    const extra = [50, 51, 52, 53, 54, 55].map((i) => `val/images/val_${i}.JPEG`);
    for (const e of extra) copyFileSync(join(images, first), join(dir, e));
    return { dir, bad, extra };
  };
  const run = async (argv: string[]) => {
    const out = sink();
    const err = sink();
    const code = await main(argv, { out, err, cwd: tmp() });
    return { code, err: err.text() };
  };

  it('too many classes: says that the preset set them, and how many the data has', async () => {
    const cache = tmp();
    const a = await run(['--data', root, '--cache', cache, '--out', join(tmp(), 'r'), '--backend', 'cpu', '--quiet']);
    expect(a.code).toBe(2);
    expect(a.err.trimEnd().split('\n').pop()).toBe('reproduce-paper: --preset quick sets --classes 10; the data has 4: pass --classes 4 or less');
    const b = await run(['--data', root, '--classes', '6', '--cache', cache, '--out', join(tmp(), 'r'), '--backend', 'cpu', '--quiet']);
    expect(b.code).toBe(2);
    expect(b.err.trimEnd().split('\n').pop()).toBe('reproduce-paper: --classes 6; the data has 4: pass --classes 4 or less');
  });

  it('a bad image: the error names --skip-bad-images, not the API option', async () => {
    const { dir, bad } = damaged();
    const argv = ['--data', dir, '--classes', '2', '--cache', tmp(), '--out', join(tmp(), 'r'), '--backend', 'cpu', '--quiet'];
    const e = await run(argv).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
    const message = (e as Error).message;
    expect(message).toContain(bad);
    expect(message).toMatch(/cannot decode image \(.+\); pass --skip-bad-images to leave undecodable images out/);
    expect(message).not.toContain('skipBadImages');
  });

  it('--skip-bad-images and unannotated val images: warning lines with counts and paths, again when read from the cache', async () => {
    const { dir, bad, extra } = damaged();
    const cache = tmp();
    const plan = resolvePlan(parseCliArgs(['--data', dir, '--classes', '2', '--cache', cache, '--skip-bad-images']), '/');
    for (let pass = 0; pass < 2; pass++) {
      const notes: string[] = [];
      const data = await prepareData(plan, { note: (t) => notes.push(t) });
      expect(data.train.skippedImages.map((s) => s.path)).toEqual([bad]);
      const warnings = notes.filter((n) => n.startsWith('warning: '));
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toContain(`1 train image could not be decoded and was left out: ${bad} (`);
      expect(warnings[1]).toContain('6 val images have no line in val/val_annotations.txt and were left out (no label)');
      expect(warnings[1]).toContain(extra.slice(0, 5).join(', '));
      expect(warnings[1]).toContain('all 6 in unannotatedVal of');
    }
  });

  it('an unusable --out fails first, in one line naming the path, before the backend or the data', async () => {
    const base = tmp();
    const file = join(base, 'results.txt');
    writeFileSync(file, 'not a folder');
    const cache = join(base, 'cache');
    const grid = ['--data', root, '--classes', '2', '--models', 'new', '--epochs', '1', '--l1', '0', '--l2', '0', '--cache', cache, '--backend', 'cpu', '--quiet'];
    const a = await run([...grid, '--out', file]);
    expect(a.code).toBe(2);
    expect(a.err).toBe(`reproduce-paper: --out: ${file} is a file, not a folder\n`);
    const b = await run([...grid, '--out', join(file, 'sub')]);
    expect(b.err).toBe(`reproduce-paper: --out: cannot create ${join(file, 'sub')}: ${file} is a file, not a folder\n`);
    expect(existsSync(cache)).toBe(false);
    // A folder without write permission; root may write anywhere, so this part needs a normal user.
    if (process.getuid?.() !== 0) {
      const locked = join(base, 'locked');
      mkdirSync(locked, { mode: 0o500 });
      const c = await run([...grid, '--out', join(locked, 'r')]);
      expect(c.code).toBe(2);
      expect(c.err).toMatch(new RegExp(`^reproduce-paper: --out: ${join(locked, 'r').replace(/[/.]/g, '\\$&')} is not a writable folder \\(EACCES\\)`));
    }
  });
});
