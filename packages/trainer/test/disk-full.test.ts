// A full disk, injected: node:fs/promises is wrapped so that writes to files whose path matches
// `disk.match` get `disk.bytesLeft` bytes in all, then fail with ENOSPC (after writing what fits,
// as a real full disk does). No tmpfs is needed (mounting one takes root).
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import * as realFs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeAtomic } from '../src/internal/node-fs';
import { DiskFullError, fsCheckpointStore, writeFileAtomic } from '../src/node';
import { runStudy, type CheckpointState, type StudyOptions } from '../src/index';
import { tinyModel, tinySplit, useCpu } from './tiny-fixtures';

const disk = vi.hoisted(() => ({ match: null as RegExp | null, bytesLeft: Infinity }));

function enospc(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
}

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
        return async (data: Uint8Array) => {
          const fits = Math.max(0, Math.min(data.byteLength, disk.bytesLeft));
          if (fits > 0) await target.write(data.subarray(0, fits));
          disk.bytesLeft -= fits;
          if (fits < data.byteLength) throw enospc();
          return { bytesWritten: fits, buffer: data };
        };
      },
    });
  };
  return { ...real, open, default: { ...real, open } };
});

const tmp = () => mkdtempSync(join(tmpdir(), 'regstudy-diskfull-'));
const tmpFilesIn = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.includes('.tmp-'));
const ONE_LINE = /^no space left on device writing (.+): needed [\d.]+ MB, [\d.]+ MB free$/;

beforeAll(useCpu);
beforeEach(() => {
  disk.match = null;
  disk.bytesLeft = Infinity;
});

describe('a full disk', () => {
  it('writeAtomic removes its temp file, keeps the old file and names the file and the sizes', async () => {
    const dir = tmp();
    const file = join(dir, 'table.csv');
    await writeAtomic(realFs, file, ['old\n']);
    disk.match = /table\.csv\.tmp-/;
    disk.bytesLeft = 1000;
    const error = await writeAtomic(realFs, file, [new Uint8Array(1500), new Uint8Array(2_500_000)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiskFullError);
    const e = error as DiskFullError;
    expect(e.message).toMatch(ONE_LINE);
    expect(e.message).toContain(`writing ${file}: needed 2.5 MB,`);
    expect(e).toMatchObject({ code: 'ENOSPC', path: file, neededBytes: 2_501_500 });
    expect(e.freeBytes).toBeGreaterThan(0);
    expect(tmpFilesIn(dir)).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe('old\n');
  });

  // reproduce-paper writes its report files (reproduction.md, claims.json, figures) with this.
  it('writeFileAtomic names the file and the space, removes the temp file and keeps the previous file', async () => {
    const dir = tmp();
    const file = join(dir, 'reproduction.md');
    await writeFileAtomic(file, 'earlier report\n');
    disk.match = /reproduction\.md\.tmp-/;
    disk.bytesLeft = 1_500_000;
    const error = await writeFileAtomic(file, 'x'.repeat(3_000_000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiskFullError);
    expect((error as Error).message).toMatch(new RegExp(`^no space left on device writing ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: needed 3\\.0 MB, [\\d.]+ MB free$`));
    expect(readdirSync(dir)).toEqual(['reproduction.md']);
    expect(readFileSync(file, 'utf8')).toBe('earlier report\n');
  });

  it('a failed checkpoint save leaves no temp or orphan files and the previous checkpoint loads', async () => {
    const dir = join(tmp(), 'checkpoint');
    const store = fsCheckpointStore(dir);
    const state = (epoch: number): CheckpointState => ({
      version: 1,
      epoch,
      weights: [{ name: 'w', shape: [1000], dtype: 'float32', data: new Float32Array(1000).fill(epoch) }],
      optimizer: [],
      optimizerKind: 'sgd',
      rng: { seed: 0, nextEpoch: epoch + 1 },
      history: [],
    });
    await store.save(state(1));
    const before = readdirSync(dir).sort();
    // the .bin of epoch 2 fits, its .json does not
    disk.match = /ckpt-000002\.json\.tmp-/;
    disk.bytesLeft = 10;
    const error = await store.save(state(2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiskFullError);
    expect((error as Error).message).toMatch(ONE_LINE);
    expect((error as DiskFullError).path).toBe(join(dir, 'ckpt-000002.json'));
    expect(readdirSync(dir).sort()).toEqual(before);
    const loaded = await store.load();
    expect(loaded?.epoch).toBe(1);
    expect(Array.from(loaded!.weights[0]!.data.slice(0, 3))).toEqual([1, 1, 1]);
  });

  it('runStudy rejects with the DiskFullError of a history write made from the epoch event (no unhandled rejection)', async () => {
    const outDir = tmp();
    const data = { train: tinySplit({ classes: 4, perClass: 10, seed: 1 }), val: tinySplit({ classes: 4, perClass: 5, seed: 2, split: 'val' }) };
    const base: StudyOptions = {
      models: [{ name: 'mlp', create: ({ seed, numClasses }) => tinyModel({ classes: numClasses, seed: seed + 1 }) }],
      regularization: [{ l1: 0, l2: 0 }],
      seeds: [0],
      epochs: 2,
      batchSize: 20,
      optimizer: { kind: 'sgd', learningRate: 0.05 },
      data,
      outDir,
    };
    const first = await runStudy(base);
    const done = first.runs[0]!;
    const historyBefore = readFileSync(join(done.dir, 'history.json'), 'utf8');
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // seed 1's live history write (chained from its first epoch event) finds the disk full
      disk.match = /seed-1[\\/]history\.json\.tmp-/;
      disk.bytesLeft = 0;
      const error = await runStudy({ ...base, seeds: [0, 1], epochs: 2 }).catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(error).toBeInstanceOf(DiskFullError);
      expect((error as Error).message).toMatch(ONE_LINE);
      expect((error as DiskFullError).path).toBe(join(outDir, 'mlp_l1-0_l2-0_seed-1', 'history.json'));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(tmpFilesIn(outDir)).toEqual([]);
    // the finished run is untouched
    expect(readFileSync(join(done.dir, 'history.json'), 'utf8')).toBe(historyBefore);
    expect(JSON.parse(readFileSync(join(done.dir, 'status.json'), 'utf8'))).toMatchObject({ status: 'completed', epochsCompleted: 2 });
  });
});
