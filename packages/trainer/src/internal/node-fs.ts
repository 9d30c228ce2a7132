import { DiskFullError } from '@regstudy/options';

// Lazy access to Node built-ins, so browser-safe entries can reference modules that only touch
// the file system when they are called.
export async function nodeModules() {
  const [fs, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  return { fs, path };
}

type Fs = typeof import('node:fs/promises');
/** The part of `node:fs/promises` the atomic writer uses (tests pass one that fails). */
export type WriteFs = Pick<Fs, 'open' | 'rename' | 'rm' | 'statfs'>;

let tempSeq = 0;

/**
 * A temporary file name beside `file`: `<file>.tmp-<pid>-<ms>-<n>`, unique within this process
 * (`n` counts up) and across processes (`pid`), so two writers of one file never share a temp file.
 */
export function tempNameFor(file: string): string {
  tempSeq += 1;
  return `${file}.tmp-${process.pid}-${Date.now()}-${tempSeq}`;
}

/**
 * Writes `chunks` to `file` via a temporary file, fsync and rename (atomic on POSIX). On any
 * error the temporary file is removed and `file` keeps its previous content; a full disk is
 * rethrown as a {@link DiskFullError} naming `file`, the bytes needed and the bytes free.
 */
export async function writeAtomic(fs: WriteFs, file: string, chunks: readonly (Uint8Array | string)[]): Promise<void> {
  const tmp = tempNameFor(file);
  const bytes = chunks.map((c) => (typeof c === 'string' ? new TextEncoder().encode(c) : c));
  let handle: Awaited<ReturnType<WriteFs['open']>> | undefined;
  try {
    handle = await fs.open(tmp, 'w');
    for (const chunk of bytes) await handle.write(chunk);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, file);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    if (!DiskFullError.isDiskFull(error)) throw error;
    const needed = bytes.reduce((n, c) => n + c.byteLength, 0);
    const dir = file.slice(0, Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'))) || '.';
    throw await DiskFullError.measure(error, file, dir, needed, (d) => fs.statfs(d));
  }
}

/** Writes pretty JSON atomically. */
export async function writeJsonAtomic(fs: WriteFs, file: string, value: unknown): Promise<void> {
  await writeAtomic(fs, file, [`${JSON.stringify(value, null, 2)}\n`]);
}

/** Reads JSON, or returns null when the file does not exist. Errors name the file. */
export async function readJsonIfExists<T>(fs: Fs, file: string): Promise<T | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${file}: invalid JSON (${(error as Error).message})`);
  }
}
