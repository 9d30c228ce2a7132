// Lazy access to Node built-ins, so browser-safe entries can reference modules that only touch
// the file system when they are called.
export async function nodeModules() {
  const [fs, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  return { fs, path };
}

type Fs = typeof import('node:fs/promises');

let tempSeq = 0;

/**
 * A temporary file name beside `file`: `<file>.tmp-<pid>-<ms>-<n>`, unique within this process
 * (`n` counts up) and across processes (`pid`), so two writers of one file never share a temp file.
 */
export function tempNameFor(file: string): string {
  tempSeq += 1;
  return `${file}.tmp-${process.pid}-${Date.now()}-${tempSeq}`;
}

/** Writes `chunks` to `file` via a temporary file, fsync and rename (atomic on POSIX). */
export async function writeAtomic(fs: Fs, file: string, chunks: readonly (Uint8Array | string)[]): Promise<void> {
  const tmp = tempNameFor(file);
  const handle = await fs.open(tmp, 'w');
  try {
    for (const chunk of chunks) await handle.write(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
}

/** Writes pretty JSON atomically. */
export async function writeJsonAtomic(fs: Fs, file: string, value: unknown): Promise<void> {
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
