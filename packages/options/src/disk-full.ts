/** Free bytes of a folder as `fs.statfs` reports them (`bavail * bsize`: what an unprivileged writer may use). */
export type StatFs = (dir: string) => Promise<{ bavail: number | bigint; bsize: number | bigint }>;

/** Megabytes (10^6 bytes) with one decimal from 1 MB up, two significant digits below. */
function mb(bytes: number): string {
  const v = bytes / 1e6;
  return v >= 1 ? v.toFixed(1) : String(Number(v.toPrecision(2)));
}

/**
 * A write failed because the disk is full (`ENOSPC`). The message is one line:
 * `no space left on device writing <path>: needed <N> MB, <M> MB free` (MB = 10^6 bytes), where
 * needed is the size of the file being written and free is measured after the partial file was
 * removed (`?` when the file system could not tell). Raised by the atomic writers of
 * `@regstudy/tinyimagenet` (cache, download) and `@regstudy/trainer/node` (results, checkpoints).
 */
export class DiskFullError extends Error {
  readonly code = 'ENOSPC';
  /** The file that was being written (its final name, not the temporary one). */
  readonly path: string;
  /** Bytes the write needed in all. */
  readonly neededBytes: number;
  /** Bytes free in the file's folder after the failed write was cleaned up; undefined when unknown. */
  readonly freeBytes: number | undefined;
  constructor(opts: { path: string; neededBytes: number; freeBytes: number | undefined; cause?: unknown }) {
    const free = opts.freeBytes === undefined ? '?' : mb(opts.freeBytes);
    super(`no space left on device writing ${opts.path}: needed ${mb(opts.neededBytes)} MB, ${free} MB free`, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DiskFullError';
    this.path = opts.path;
    this.neededBytes = opts.neededBytes;
    this.freeBytes = opts.freeBytes;
  }

  /** True for a Node error with code `ENOSPC` (or a DiskFullError). */
  static isDiskFull(error: unknown): boolean {
    return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOSPC';
  }

  /**
   * The DiskFullError for a failed write of `neededBytes` to `path`, its free space measured with
   * `statfs` on `dir` (the file's folder); `error` is kept as the cause. Returns `error` unchanged
   * when it is already a DiskFullError.
   */
  static async measure(error: unknown, path: string, dir: string, neededBytes: number, statfs: StatFs): Promise<DiskFullError> {
    if (error instanceof DiskFullError) return error;
    let freeBytes: number | undefined;
    try {
      const s = await statfs(dir);
      freeBytes = Number(s.bavail) * Number(s.bsize);
    } catch {
      freeBytes = undefined;
    }
    return new DiskFullError({ path, neededBytes, freeBytes, cause: error });
  }
}
