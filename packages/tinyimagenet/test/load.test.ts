import { readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_BYTES, cacheManifestPath, loadTinyImageNet, type Progress } from '../src/index';
import { smallSet, tempDir } from './fixtures';

let ds: Awaited<ReturnType<typeof smallSet>>;
let zipPath: string;
beforeAll(async () => {
  ds = await smallSet();
  zipPath = ds.zipPath!;
});

describe('loadTinyImageNet from a folder and a zip', () => {
  it('labels train images by sorted wnid and decodes them to 64x64x3', async () => {
    const tr = await loadTinyImageNet({ source: ds.root!, split: 'train' });
    const sorted = [...ds.wnids].sort();
    expect(tr.classes.map((c) => c.wnid)).toEqual(sorted);
    expect(tr.classes[0]!.words).toMatch(/^synthetic class 0,/);
    expect(tr.count).toBe(24);
    expect(tr.images.byteLength).toBe(24 * 64 * 64 * 3);
    expect(Array.from(tr.labels)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3]);
    // Image 7 is class 1's <wnid>_1.JPEG: compare with a direct decode.
    const file = join(ds.root!, 'train', sorted[1]!, 'images', `${sorted[1]}_1.JPEG`);
    const ref = await sharp(readFileSync(file)).toColourspace('srgb').raw().toBuffer();
    expect(Buffer.from(tr.images.subarray(7 * IMAGE_BYTES, 8 * IMAGE_BYTES)).equals(ref)).toBe(true);
  });

  it('expands grayscale JPEGs to R = G = B', async () => {
    const tr = await loadTinyImageNet({ source: ds.root!, split: 'train' });
    const sorted = [...ds.wnids].sort();
    let found = 0;
    for (let n = 0; n < tr.count; n++) {
      const w = sorted[tr.labels[n]!]!;
      const i = n % 6;
      const meta = await sharp(join(ds.root!, 'train', w, 'images', `${w}_${i}.JPEG`)).metadata();
      if (meta.channels !== 1) continue;
      found++;
      const img = tr.images.subarray(n * IMAGE_BYTES, (n + 1) * IMAGE_BYTES);
      let mismatches = 0;
      for (let p = 0; p < 64 * 64; p++) if (img[3 * p] !== img[3 * p + 1] || img[3 * p] !== img[3 * p + 2]) mismatches++;
      expect(mismatches).toBe(0);
    }
    expect(found).toBeGreaterThan(0);
  });

  it('labels val images from val_annotations.txt', async () => {
    const va = await loadTinyImageNet({ source: ds.root!, split: 'val' });
    const sorted = [...ds.wnids].sort();
    const ann = readFileSync(join(ds.root!, 'val', 'val_annotations.txt'), 'utf8').trim().split('\n');
    expect(va.count).toBe(12);
    expect(Array.from(va.labels)).toEqual(ann.map((l) => sorted.indexOf(l.split('\t')[1]!)));
    expect(va.classes).toEqual((await loadTinyImageNet({ source: ds.root!, split: 'train', perClass: 1 })).classes);
  });

  it('reads the zip in place with identical results (parent folder also accepted)', async () => {
    for (const split of ['train', 'val'] as const) {
      const a = await loadTinyImageNet({ source: ds.dir, split });
      const b = await loadTinyImageNet({ source: zipPath, split });
      expect(b.classes).toEqual(a.classes);
      expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
      expect(Buffer.from(b.images).equals(Buffer.from(a.images))).toBe(true);
    }
  });

  it('decodes the same bytes in worker threads as on the main thread (folder and zip)', async () => {
    for (const source of [ds.root!, zipPath]) {
      for (const split of ['train', 'val'] as const) {
        const a = await loadTinyImageNet({ source, split, threads: 0 });
        const b = await loadTinyImageNet({ source, split, threads: 2, concurrency: 3 });
        expect(b.count).toBe(a.count);
        expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
        expect(Buffer.from(b.images).equals(Buffer.from(a.images))).toBe(true);
      }
    }
  });

  it('selects the first N classes, a wnid list (remapped in sorted order) and a per-class limit', async () => {
    const sorted = [...ds.wnids].sort();
    const a = await loadTinyImageNet({ source: zipPath, split: 'train', classes: 2, perClass: 3 });
    expect(a.classes.map((c) => c.wnid)).toEqual(sorted.slice(0, 2));
    expect(Array.from(a.labels)).toEqual([0, 0, 0, 1, 1, 1]);
    const b = await loadTinyImageNet({ source: ds.root!, split: 'val', classes: [sorted[3]!, sorted[1]!], perClass: 2 });
    expect(b.classes.map((c) => c.wnid)).toEqual([sorted[1], sorted[3]]);
    expect(b.count).toBe(4);
    expect([...b.labels].sort()).toEqual([0, 0, 1, 1]);
    await expect(loadTinyImageNet({ source: ds.root!, split: 'val', classes: ['n00000001'] })).rejects.toThrow(/option 'classes': expected wnids listed in .*wnids\.txt, got "n00000001"$/);
    await expect(loadTinyImageNet({ source: ds.root!, split: 'val', classes: 5 })).rejects.toThrow(/option 'classes': expected at most 4 \(the classes .*wnids\.txt lists\), got 5$/);
    await expect(loadTinyImageNet({ source: ds.root!, split: 'test' as 'val' })).rejects.toThrow(`loadTinyImageNet(): option 'split': expected one of "train", "val", got "test"`);
  });
});

describe('cache', () => {
  it('prepares once, loads with a single read, and re-prepares when the source changes', async () => {
    const cacheDir = tempDir();
    const phases: string[] = [];
    const onProgress = (p: Progress): void => void phases.push(p.phase);
    const first = await loadTinyImageNet({ source: ds.root!, split: 'train', cacheDir, onProgress });
    expect(phases).toContain('decode');
    const manifest = JSON.parse(readFileSync(cacheManifestPath(cacheDir, 'train'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'regstudy-tinyimagenet-cache', version: 2, count: 24, split: 'train' });
    expect(manifest.classes).toEqual(first.classes);
    expect(readdirSync(cacheDir).sort()).toEqual([manifest.files.images.name, manifest.files.labels.name, 'train.json'].sort());

    phases.length = 0;
    const second = await loadTinyImageNet({ source: ds.root!, split: 'train', cacheDir, onProgress });
    expect(phases).toEqual([]); // no decoding: straight from the cache
    expect(Buffer.from(second.images).equals(Buffer.from(first.images))).toBe(true);
    expect(Array.from(second.labels)).toEqual(Array.from(first.labels));

    // Loading the cache itself as the source (manifest path or folder).
    const viaManifest = await loadTinyImageNet({ source: cacheManifestPath(cacheDir, 'train'), split: 'train' });
    expect(Array.from(viaManifest.labels)).toEqual(Array.from(first.labels));
    const viaFolder = await loadTinyImageNet({ source: cacheDir, split: 'train' });
    expect(viaFolder.count).toBe(24);

    // A changed source (new mtime on wnids.txt) invalidates the cache; old files are removed.
    utimesSync(join(ds.root!, 'wnids.txt'), new Date(), new Date(Date.now() + 5000));
    phases.length = 0;
    await loadTinyImageNet({ source: ds.root!, split: 'train', cacheDir, onProgress });
    expect(phases).toContain('decode');
    const m2 = JSON.parse(readFileSync(cacheManifestPath(cacheDir, 'train'), 'utf8'));
    expect(m2.source.fingerprint).not.toBe(manifest.source.fingerprint);
    expect(readdirSync(cacheDir).sort()).toEqual([m2.files.images.name, m2.files.labels.name, 'train.json'].sort());

    // An older format version is re-prepared too.
    writeFileSync(cacheManifestPath(cacheDir, 'train'), JSON.stringify({ ...m2, version: 0 }));
    phases.length = 0;
    await loadTinyImageNet({ source: ds.root!, split: 'train', cacheDir, onProgress });
    expect(phases).toContain('decode');

    // Subsets get their own cache file.
    await loadTinyImageNet({ source: zipPath, split: 'val', classes: 2, perClass: 1, cacheDir });
    expect(readdirSync(cacheDir)).toContain('val-2c-1pc.json');
    phases.length = 0;
    const cachedFromZip = await loadTinyImageNet({ source: zipPath, split: 'val', classes: 2, perClass: 1, cacheDir, onProgress });
    expect(phases).toEqual([]);
    expect(cachedFromZip.count).toBe(2);
    // A wnid list in another order is the same selection: served from the same cache file.
    const sorted = [...ds.wnids].sort();
    await loadTinyImageNet({ source: zipPath, split: 'val', classes: [sorted[2]!, sorted[0]!], cacheDir });
    phases.length = 0;
    const swapped = await loadTinyImageNet({ source: zipPath, split: 'val', classes: [sorted[0]!, sorted[2]!, sorted[0]!], cacheDir, onProgress });
    expect(phases).toEqual([]);
    expect(swapped.classes.map((c) => c.wnid)).toEqual([sorted[0], sorted[2]]);
  });

  it('is rerunnable after an interrupted prepare and leaves no temp files', async () => {
    const cacheDir = tempDir();
    const ac = new AbortController();
    await expect(
      loadTinyImageNet({
        source: ds.root!,
        split: 'train',
        cacheDir,
        signal: ac.signal,
        concurrency: 1,
        onProgress: (p) => {
          if (p.phase === 'decode' && p.done >= 3) ac.abort();
        },
      }),
    ).rejects.toThrow(/abort/i);
    expect(readdirSync(cacheDir)).toEqual([]);
    const ok = await loadTinyImageNet({ source: ds.root!, split: 'train', cacheDir });
    expect(ok.count).toBe(24);
  });
});
