import { open, rename, rm, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DiskFullError } from '@regstudy/options';

let tempSeq = 0;

/**
 * Writes `data` to `path` via `<path>.tmp-<pid>-<n>` (unique per write), fsync and rename. On any error the temporary
 * file is removed; a full disk is rethrown as a {@link DiskFullError} naming `path`.
 */
export async function writeAtomic(path: string, data: Uint8Array, onChunk?: (bytes: number) => void, signal?: AbortSignal): Promise<void> {
  tempSeq += 1;
  const tmp = `${path}.tmp-${process.pid}-${tempSeq}`;
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(tmp, 'w');
    const CH = 64 << 20;
    for (let o = 0; o < data.byteLength; o += CH) {
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
      const end = Math.min(data.byteLength, o + CH);
      await fh.write(data, o, end - o, o);
      onChunk?.(end);
    }
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw DiskFullError.isDiskFull(e) ? await DiskFullError.measure(e, path, dirname(path), data.byteLength, statfs) : e;
  }
}
