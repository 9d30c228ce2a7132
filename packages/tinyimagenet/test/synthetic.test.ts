import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticTinyImageNet } from '../src/index';
import { smallSet, tempDir } from './fixtures';

describe('writeSyntheticTinyImageNet', () => {
  let ds: Awaited<ReturnType<typeof smallSet>>;
  beforeAll(async () => {
    ds = await smallSet();
  });

  it('writes the official layout', () => {
    const root = ds.root!;
    const wnids = readFileSync(join(root, 'wnids.txt'), 'utf8').trim().split('\n');
    expect(wnids).toEqual(ds.wnids);
    expect(wnids).toHaveLength(4);
    expect([...wnids].sort()).not.toEqual(wnids); // unsorted like the real file (fixed by seed 7)
    const words = readFileSync(join(root, 'words.txt'), 'utf8').trim().split('\n');
    expect(words.length).toBeGreaterThan(wnids.length);
    for (const w of wnids) expect(words.some((l) => l.startsWith(`${w}\t`))).toBe(true);
    for (const w of wnids) {
      const imgs = readdirSync(join(root, 'train', w, 'images')).sort();
      expect(imgs).toEqual([0, 1, 2, 3, 4, 5].map((i) => `${w}_${i}.JPEG`).sort());
      const boxes = readFileSync(join(root, 'train', w, `${w}_boxes.txt`), 'utf8').trim().split('\n');
      expect(boxes).toHaveLength(6);
      expect(boxes[0]).toMatch(new RegExp(`^${w}_0\\.JPEG\\t\\d+\\t\\d+\\t\\d+\\t\\d+$`));
    }
    const ann = readFileSync(join(root, 'val', 'val_annotations.txt'), 'utf8').trim().split('\n');
    expect(ann).toHaveLength(12);
    expect(ann[0]).toMatch(/^val_0\.JPEG\tn\d{8}\t\d+\t\d+\t\d+\t\d+$/);
    const perClass = new Map<string, number>();
    for (const l of ann) perClass.set(l.split('\t')[1]!, (perClass.get(l.split('\t')[1]!) ?? 0) + 1);
    expect([...perClass.values()]).toEqual([3, 3, 3, 3]);
    expect(readdirSync(join(root, 'val', 'images'))).toHaveLength(12);
    expect(readdirSync(join(root, 'test', 'images')).sort()).toEqual(['test_0.JPEG', 'test_1.JPEG']);
    expect(ds.counts).toEqual({ train: 24, val: 12, test: 2 });
    expect(ds.classes.map((c) => c.wnid)).toEqual([...wnids].sort());
    expect(existsSync(join(ds.dir, 'tiny-imagenet-200.zip'))).toBe(true);
  });

  it('writes real 64x64 JPEGs, some with one channel', async () => {
    const root = ds.root!;
    const files = ds.wnids.flatMap((w) => readdirSync(join(root, 'train', w, 'images')).map((f) => join(root, 'train', w, 'images', f)));
    let gray = 0;
    for (const f of files) {
      const buf = readFileSync(f);
      expect(buf.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff])); // JPEG SOI marker
      const m = await sharp(buf).metadata();
      expect(m.format).toBe('jpeg');
      expect([m.width, m.height]).toEqual([64, 64]);
      if (m.channels === 1) gray++;
    }
    expect(gray).toBeGreaterThan(0);
    expect(gray).toBeLessThan(files.length);
    expect(ds.grayscale).toBeGreaterThanOrEqual(gray);
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const again = await smallSet({ seed: 7 });
    const other = await smallSet({ seed: 8 });
    const zip = (d: string): Buffer => readFileSync(join(d, 'tiny-imagenet-200.zip'));
    expect(zip(again.dir).equals(zip(ds.dir))).toBe(true);
    expect(zip(other.dir).equals(zip(ds.dir))).toBe(false);
  });

  it('refuses to overwrite without overwrite: true and validates options', async () => {
    await expect(writeSyntheticTinyImageNet(ds.dir, { classes: 2, trainPerClass: 1, valPerClass: 1 })).rejects.toThrow(/exists.*overwrite/);
    await expect(writeSyntheticTinyImageNet(tempDir(), { classes: 0, trainPerClass: 1, valPerClass: 1 })).rejects.toThrow(/^writeSyntheticTinyImageNet\(\): option 'classes': expected an integer (>|>=|in)/);
  });

  it('leaves nothing behind when aborted', async () => {
    const dir = tempDir();
    const ac = new AbortController();
    const p = writeSyntheticTinyImageNet(dir, {
      classes: 3,
      trainPerClass: 60,
      valPerClass: 1,
      zip: true,
      signal: ac.signal,
      onProgress: ({ done }) => {
        if (done >= 64) ac.abort();
      },
    });
    await expect(p).rejects.toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });
});
