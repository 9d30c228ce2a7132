import { copyFileSync, cpSync, readFileSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptionsError, TinyImageNetError, cacheManifestPath, loadTinyImageNet, type LoadWarning } from '../src/index';
import { smallSet, tempDir } from './fixtures';

// Images the loader leaves out are reported: a warning with the count and the first 5 paths,
// and the full lists in the split and in the cache manifest (issue 19, point 5).

let ds: Awaited<ReturnType<typeof smallSet>>;
beforeAll(async () => {
  ds = await smallSet({ seed: 5, grayscaleFraction: 0 });
});

function copy(): string {
  const dir = join(tempDir(), 'tiny-imagenet-200');
  cpSync(ds.root!, dir, { recursive: true });
  return dir;
}

describe('val images without an annotation line', () => {
  it('are reported with the count and the first 5 paths, and listed in the manifest, also when loaded from the cache', async () => {
    const dir = copy();
    const images = join(dir, 'val', 'images');
    const annotated = readdirSync(images).sort();
    expect(annotated).toHaveLength(12);
    // 7 more images on disk that val_annotations.txt does not mention (19 on disk, 12 labelled).
    const extra = [100, 101, 102, 103, 104, 105, 106].map((i) => `val_${i}.JPEG`);
    for (const name of extra) copyFileSync(join(images, annotated[0]!), join(images, name));
    const cacheDir = tempDir();
    const warnings: LoadWarning[] = [];
    const val = await loadTinyImageNet({ source: dir, split: 'val', cacheDir, onWarning: (w) => warnings.push(w) });
    expect(val.count).toBe(12);
    const all = extra.map((n) => `val/images/${n}`);
    expect(val.unannotatedVal).toEqual(all);
    expect(warnings).toHaveLength(1);
    const w = warnings[0]!;
    expect(w).toMatchObject({ kind: 'unannotated-val', count: 7, first: all.slice(0, 5) });
    expect(w.message).toContain('7 val images have no line in val/val_annotations.txt');
    expect(w.message).toContain(all.slice(0, 5).join(', '));
    expect(w.message).not.toContain(all[5]);
    const manifestPath = cacheManifestPath(cacheDir, 'val');
    expect(w.message).toContain(`all 7 in unannotatedVal of ${manifestPath}`);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    expect(manifest.unannotatedVal).toEqual(all);
    expect(manifest.skippedImages).toEqual([]);

    const again: LoadWarning[] = [];
    const cached = await loadTinyImageNet({ source: dir, split: 'val', cacheDir, onWarning: (x) => again.push(x) });
    expect(cached.unannotatedVal).toEqual(all);
    expect(again.map((x) => x.message)).toEqual([w.message]);
  });

  it('a clean set warns nothing; train never lists unannotated val images', async () => {
    const warnings: LoadWarning[] = [];
    const val = await loadTinyImageNet({ source: ds.root!, split: 'val', onWarning: (w) => warnings.push(w) });
    const train = await loadTinyImageNet({ source: ds.root!, split: 'train', onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([]);
    expect(val.unannotatedVal).toEqual([]);
    expect(train.unannotatedVal).toEqual([]);
  });
});

describe('skipBadImages', () => {
  it('lists every skipped image with why, in the warning, the split and the manifest, with and without worker threads', async () => {
    const dir = copy();
    const [w0, w1] = [...ds.wnids].sort();
    const bad = [`train/${w0}/images/${w0}_2.JPEG`, `train/${w1}/images/${w1}_5.JPEG`];
    for (const p of bad) truncateSync(join(dir, p), Math.floor(statSync(join(dir, p)).size / 2));
    const err = await loadTinyImageNet({ source: dir, split: 'train' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TinyImageNetError);
    expect((err as TinyImageNetError).code).toBe('ERR_BAD_IMAGE');
    for (const threads of [0, 2]) {
      const cacheDir = tempDir();
      const warnings: LoadWarning[] = [];
      const train = await loadTinyImageNet({ source: dir, split: 'train', cacheDir, skipBadImages: true, threads, force: true, onWarning: (w) => warnings.push(w) });
      expect(train.skipped).toBe(2);
      expect(train.skippedImages.map((s) => s.path)).toEqual(bad);
      for (const s of train.skippedImages) expect(s.reason.length).toBeGreaterThan(0);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ kind: 'skipped-images', count: 2, first: bad });
      expect(warnings[0]!.message).toContain('2 train images could not be decoded and were left out');
      expect(warnings[0]!.message).toContain(`${bad[0]} (${train.skippedImages[0]!.reason})`);
      const manifest = JSON.parse(readFileSync(cacheManifestPath(cacheDir, 'train'), 'utf8'));
      expect(manifest.skippedImages).toEqual(train.skippedImages);
      expect(manifest.skipped).toBe(2);
    }
  });
});

describe("the 'classes' option against the data", () => {
  it('is an OptionsError in the one message shape', async () => {
    const tooMany = await loadTinyImageNet({ source: ds.root!, split: 'train', classes: 9 }).catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(OptionsError);
    expect((tooMany as OptionsError).option).toBe('classes');
    expect((tooMany as Error).message).toMatch(/^loadTinyImageNet\(\): option 'classes': expected at most 4 \(the classes .*wnids\.txt lists\), got 9$/);
    const unknown = await loadTinyImageNet({ source: ds.root!, split: 'train', classes: [[...ds.wnids].sort()[0]!, 'n00000042'] }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OptionsError);
    expect((unknown as Error).message).toMatch(/^loadTinyImageNet\(\): option 'classes': expected wnids listed in .*wnids\.txt, got "n00000042"$/);
  });
});
