/** Error raised for a bad data set, cache or download; `file` and `line` (1-based) when known. */
export class TinyImageNetError extends Error {
  readonly file: string | undefined;
  readonly line: number | undefined;
  /**
   * Machine-readable kind, when there is one: `'ERR_BAD_IMAGE'` for an image that cannot be
   * decoded (`skipBadImages: true` leaves such images out; `cause` holds the decoder's error).
   */
  readonly code: 'ERR_BAD_IMAGE' | undefined;
  constructor(message: string, opts: { file?: string; line?: number; cause?: unknown; code?: 'ERR_BAD_IMAGE' } = {}) {
    const where = opts.file ? `${opts.file}${opts.line !== undefined ? `:${opts.line}` : ''}: ` : '';
    super(`${where}${message}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'TinyImageNetError';
    this.file = opts.file;
    this.line = opts.line;
    this.code = opts.code;
  }
}

/** Throws an AbortError-like error when `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof Error) throw reason;
    const err = new Error('The operation was aborted');
    err.name = 'AbortError';
    throw err;
  }
}
