import { rename, rm, statfs, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DiskFullError } from '@regstudy/tinyimagenet';

/**
 * Writes `text` to `file` via `<file>.tmp-<pid>` and rename, so a reader never sees half a file.
 * On an error the temporary file is removed; a full disk becomes a `DiskFullError` whose one-line
 * message names `file` and the space needed and free.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw DiskFullError.isDiskFull(e) ? await DiskFullError.measure(e, file, dirname(file), Buffer.byteLength(text), statfs) : e;
  }
}
