// A full disk while the cache is written, injected: node:fs/promises is wrapped so that writes to
// files whose path matches `disk.match` get `disk.bytesLeft` bytes in all, then fail with ENOSPC
// (after writing what fits, as a real full disk does). Mounting a small tmpfs would take root.
import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { DiskFullError, cacheManifestPath, loadTinyImageNet } from '../src/index';
import { smallSet, tempDir } from './fixtures';

const disk = vi.hoisted(() => ({ match: null as RegExp | null, bytesLeft: Infinity }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof real.open = async (file, ...rest) => {
    const handle = await real.open(file, ...rest);
    if (!disk.match?.test(String(file))) return handle;
    return new Proxy(handle, {
      get(target, prop) {
        if (prop !== 'write') {
          const v = Reflect.get(target, prop, target) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        }
        return async (data: Uint8Array, offset = 0, length = data.byteLength - offset, position?: number) => {
          const fits = Math.max(0, Math.min(length, disk.bytesLeft));
          if (fits > 0) await target.write(data, offset, fits, position);
          disk.bytesLeft -= fits;
          if (fits < length) {
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
          }
          return { bytesWritten: fits, buffer: data };
        };
      },
    });
  };
  return { ...real, open, default: { ...real, open } };
});

let ds: Awaited<ReturnType<typeof smallSet>>;
beforeAll(async () => {
  ds = await smallSet();
});

describe('writing the cache on a full disk', () => {
  it('fails with one line naming the file and the space, removes temp files and keeps the earlier cache', async () => {
    const cacheDir = tempDir();
    const first = await loadTinyImageNet({ source: ds.root!, split: 'train', cacheDir });
    const before = readdirSync(cacheDir).sort();

    disk.match = /train-2c-all\.[0-9a-f]+\.images\.bin\.tmp-/;
    disk.bytesLeft = 10_000;
    const error = await loadTinyImageNet({ source: ds.root!, split: 'train', classes: 2, cacheDir }).catch((e: unknown) => e);
    disk.match = null;
    expect(error).toBeInstanceOf(DiskFullError);
    const e = error as DiskFullError;
    expect(e.message).toMatch(/^no space left on device writing \S+train-2c-all\.[0-9a-f]+\.images\.bin: needed 0\.15 MB, [\d.]+ MB free$/);
    expect(e.path.startsWith(cacheDir)).toBe(true);
    expect(e).toMatchObject({ code: 'ENOSPC', neededBytes: 12 * 64 * 64 * 3 });
    expect(readdirSync(cacheDir).sort()).toEqual(before);

    const again = await loadTinyImageNet({ source: cacheManifestPath(cacheDir, 'train'), split: 'train' });
    expect(Buffer.from(again.images).equals(Buffer.from(first.images))).toBe(true);
  });
});
