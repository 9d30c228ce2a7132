import { cpSync, readFileSync, readdirSync, mkdirSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTinyImageNet } from '../src/index';
import { ZipWriter } from '../src/zip-writer';
import { smallSet, tempDir } from './fixtures';

let ds: Awaited<ReturnType<typeof smallSet>>;
beforeAll(async () => {
  ds = await smallSet({ seed: 3, grayscaleFraction: 0 });
});

/** A private copy of the extracted folder to damage. */
function copy(): string {
  const dir = join(tempDir(), 'tiny-imagenet-200');
  cpSync(ds.root!, dir, { recursive: true });
  return dir;
}

describe('clear errors on bad input, nothing written', () => {
  it('missing wnids.txt', async () => {
    const dir = copy();
    rmSync(join(dir, 'wnids.txt'));
    await expect(loadTinyImageNet({ source: dir, split: 'train' })).rejects.toThrow(/wnids\.txt.*missing wnids\.txt/);
  });

  it('a wnid in val_annotations.txt that wnids.txt lacks (names file and line)', async () => {
    const dir = copy();
    const file = join(dir, 'val', 'val_annotations.txt');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[2] = lines[2]!.replace(/\tn\d{8}\t/, '\tn12345678\t');
    writeFileSync(file, lines.join('\n'));
    const cacheDir = tempDir();
    await expect(loadTinyImageNet({ source: dir, split: 'val', cacheDir })).rejects.toThrow(
      /val_annotations\.txt:3: wnid 'n12345678' is not listed in wnids\.txt/,
    );
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('a train folder that wnids.txt lacks', async () => {
    const dir = copy();
    mkdirSync(join(dir, 'train', 'n99999999', 'images'), { recursive: true });
    await expect(loadTinyImageNet({ source: dir, split: 'train' })).rejects.toThrow(/train\/n99999999: train folder 'n99999999' is not listed in wnids\.txt/);
  });

  it('a corrupt or truncated JPEG, and skipBadImages', async () => {
    const dir = copy();
    const w = [...ds.wnids].sort()[2]!;
    const bad = join(dir, 'train', w, 'images', `${w}_4.JPEG`);
    truncateSync(bad, Math.floor(statSync(bad).size / 2));
    const cacheDir = tempDir();
    await expect(loadTinyImageNet({ source: dir, split: 'train', cacheDir })).rejects.toThrow(
      new RegExp(`${w}_4\\.JPEG: cannot decode image .*skipBadImages`),
    );
    expect(readdirSync(cacheDir)).toEqual([]);
    const ok = await loadTinyImageNet({ source: dir, split: 'train', skipBadImages: true });
    expect(ok.skipped).toBe(1);
    expect(ok.count).toBe(23);
    expect(Array.from(ok.labels.subarray(12, 18))).toEqual([2, 2, 2, 2, 2, 3]);
    const good = await loadTinyImageNet({ source: ds.root!, split: 'train' });
    // images after the skipped one moved down by one slot
    const B = 64 * 64 * 3;
    expect(Buffer.from(ok.images.subarray(16 * B, 17 * B)).equals(Buffer.from(good.images.subarray(17 * B, 18 * B)))).toBe(true);
  });

  it('a corrupt JPEG or an unreadable file in worker threads: the same errors', async () => {
    const dir = copy();
    const w = [...ds.wnids].sort()[2]!;
    const bad = join(dir, 'train', w, 'images', `${w}_4.JPEG`);
    truncateSync(bad, Math.floor(statSync(bad).size / 2));
    await expect(loadTinyImageNet({ source: dir, split: 'train', threads: 2 })).rejects.toThrow(new RegExp(`${w}_4\\.JPEG: cannot decode image .*skipBadImages`));
    const a = await loadTinyImageNet({ source: dir, split: 'train', skipBadImages: true, threads: 0 });
    const b = await loadTinyImageNet({ source: dir, split: 'train', skipBadImages: true, threads: 2 });
    expect(b.skipped).toBe(1);
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    expect(Buffer.from(b.images).equals(Buffer.from(a.images))).toBe(true);
    // A file that cannot be read (here: a folder in its place) is reported as on the main thread.
    rmSync(bad);
    mkdirSync(bad);
    await expect(loadTinyImageNet({ source: dir, split: 'train', threads: 2 })).rejects.toThrow(/EISDIR/);
  });

  it('a truncated zip', async () => {
    const zip = join(tempDir(), 'cut.zip');
    const bytes = readFileSync(ds.zipPath!);
    writeFileSync(zip, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await expect(loadTinyImageNet({ source: zip, split: 'train' })).rejects.toThrow(/cut\.zip: truncated or corrupt zip archive/);
  });

  it('a corrupted zip entry fails its CRC-32 check', async () => {
    const zip = join(tempDir(), 'flip.zip');
    const bytes = Buffer.from(readFileSync(ds.zipPath!));
    // Flip one byte inside the stored wnids.txt data: deflate of text still inflates, CRC catches it.
    const at = bytes.indexOf(Buffer.from('tiny-imagenet-200/wnids.txt')) + 'tiny-imagenet-200/wnids.txt'.length + 3;
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(zip, bytes);
    await expect(loadTinyImageNet({ source: zip, split: 'train' })).rejects.toThrow(/wnids\.txt: (CRC-32 mismatch|truncated or corrupt)/);
  });

  it('zip entries that escape the folder (zip-slip)', async () => {
    const zip = join(tempDir(), 'slip.zip');
    const w = await ZipWriter.create(zip);
    await w.add('tiny-imagenet-200/wnids.txt', Buffer.from('n00000001\n'));
    await w.addUnchecked('tiny-imagenet-200/../../evil.txt', Buffer.from('x'));
    await w.close();
    await expect(loadTinyImageNet({ source: zip, split: 'train' })).rejects.toThrow(/slip\.zip: zip entry escapes the archive folder \(zip-slip\)/);
  });

  it('a source that does not exist or is not a data set', async () => {
    await expect(loadTinyImageNet({ source: '/nonexistent/x', split: 'train' })).rejects.toThrow(/\/nonexistent\/x: no such file or folder/);
    const f = join(tempDir(), 'x.bin');
    writeFileSync(f, 'hello');
    await expect(loadTinyImageNet({ source: f, split: 'train' })).rejects.toThrow(/neither a folder nor a zip/);
  });
});
