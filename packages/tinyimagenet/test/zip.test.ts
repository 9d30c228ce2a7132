import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../src/crc32';
import { openSource } from '../src/source';
import { ZipWriter } from '../src/zip-writer';
import { tempDir } from './fixtures';

describe('crc32', () => {
  it('matches the standard check value', () => {
    // CRC-32/ISO-HDLC check value of "123456789" is 0xCBF43926
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('ZipWriter + zip source', () => {
  it('writes a Zip64 end record past 65,535 entries, and the reader lists them all', async () => {
    const zip = join(tempDir(), 'many.zip');
    const w = await ZipWriter.create(zip);
    await w.add('tiny-imagenet-200/wnids.txt', Buffer.from('n00000001\n'));
    const n = 65_600;
    const one = Buffer.from('x');
    for (let i = 0; i < n; i++) await w.addUnchecked(`tiny-imagenet-200/test/images/test_${i}.JPEG`, one);
    await w.close();
    const bytes = readFileSync(zip);
    // Zip64 end-of-central-directory locator signature present; 16-bit counts saturated.
    expect(bytes.includes(Buffer.from([0x50, 0x4b, 0x06, 0x07]))).toBe(true);
    expect(bytes.readUInt16LE(bytes.length - 22 + 10)).toBe(0xffff);
    const src = await openSource(zip);
    try {
      expect((await src.list('test/images')).length).toBe(n);
      expect((await src.read('test/images/test_65599.JPEG')).toString()).toBe('x');
    } finally {
      await src.close();
    }
  });

  it('produces archives that Info-ZIP unzip accepts (when unzip is installed)', async () => {
    const zip = join(tempDir(), 'small.zip');
    const w = await ZipWriter.create(zip);
    await w.add('a/b.txt', Buffer.from('hello hello hello'));
    await w.add('a/c.bin', Buffer.from([0, 1, 2, 3]), false);
    await w.close();
    let out: string;
    try {
      out = execFileSync('unzip', ['-t', zip], { encoding: 'utf8' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // no unzip on this machine: nothing to compare with
      throw e;
    }
    expect(out).toMatch(/No errors detected/);
  });
});

describe('zip fingerprint', () => {
  it('is stable for the same archive and changes with its central directory', async () => {
    const { sourceFingerprint } = await import('../src/source');
    const dir = tempDir();
    const make = async (name: string, text: string): Promise<string> => {
      const w = await ZipWriter.create(join(dir, name));
      await w.add('tiny-imagenet-200/wnids.txt', Buffer.from(text));
      await w.close();
      return join(dir, name);
    };
    const a = await make('a.zip', 'n00000001\n');
    const fa = await sourceFingerprint(a);
    expect(fa).toMatch(/^zip:[0-9a-f]{64}$/);
    expect(await sourceFingerprint(a)).toBe(fa);
    const { utimesSync, copyFileSync } = await import('node:fs');
    const b = join(dir, 'b.zip');
    copyFileSync(a, b);
    const t = new Date('2020-01-01');
    utimesSync(a, t, t);
    utimesSync(b, t, t);
    expect(await sourceFingerprint(b)).toBe(await sourceFingerprint(a)); // same bytes, same mtime
    const c = await make('c.zip', 'n00000002\n'); // different CRC in the central directory
    utimesSync(c, t, t);
    expect(await sourceFingerprint(c)).not.toBe(await sourceFingerprint(a));
  });
});
