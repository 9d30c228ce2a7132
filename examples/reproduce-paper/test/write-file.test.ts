// A full disk, injected: writeFile of node:fs/promises writes half of a file whose path matches
// `disk.match`, then fails with ENOSPC as a real full disk does (a tmpfs would need root).
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskFullError } from '@regstudy/tinyimagenet';
import { describe, expect, it, vi } from 'vitest';
import { writeFileAtomic } from '../src/run/write-file';

const disk = vi.hoisted(() => ({ match: null as RegExp | null }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile = (async (file: string, data: string) => {
    if (!disk.match?.test(String(file))) return real.writeFile(file, data);
    await real.writeFile(file, data.slice(0, data.length >> 1));
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  }) as typeof real.writeFile;
  return { ...real, writeFile, default: { ...real, writeFile } };
});

describe('writeFileAtomic on a full disk', () => {
  it('names the file and the space, removes the temp file and keeps the previous file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rp-full-'));
    const file = join(dir, 'reproduction.md');
    writeFileSync(file, 'earlier report\n');
    disk.match = /reproduction\.md\.tmp-/;
    const error = await writeFileAtomic(file, 'x'.repeat(3_000_000)).catch((e: unknown) => e);
    disk.match = null;
    expect(error).toBeInstanceOf(DiskFullError);
    expect((error as Error).message).toMatch(new RegExp(`^no space left on device writing ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: needed 3\\.0 MB, [\\d.]+ MB free$`));
    expect(readdirSync(dir)).toEqual(['reproduction.md']);
    expect(readFileSync(file, 'utf8')).toBe('earlier report\n');
  });
});
