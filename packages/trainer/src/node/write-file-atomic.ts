import { nodeModules, writeAtomic } from '../internal/node-fs';

/**
 * Writes `data` to `file` as the study writes its results: via a temporary file beside it
 * (unique per write), fsync and rename, so a reader never sees half a file. On any error the
 * temporary file is removed and `file` keeps its previous content; a full disk is rethrown as a
 * `DiskFullError` naming `file`, the bytes needed and the bytes free.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const { fs } = await nodeModules();
  await writeAtomic(fs, file, [data]);
}
