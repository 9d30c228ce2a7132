/**
 * Terminal progress for the study: one redrawn bar line per batch on a TTY, one permanent line
 * per finished epoch and run everywhere. Fed by the trainer's events; prints nothing itself
 * outside these calls.
 */

/** Where the progress goes: a writable with an optional TTY flag and width. */
export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** The numbers of a finished epoch that the progress line shows. */
export interface EpochLine {
  epoch: number;
  /** Train loss as the paper logs it: data loss plus the L1 (and penalty-mode L2) term. */
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
  epochSeconds?: number;
  imagesPerSecond?: number;
}

/** Formats seconds as `m:ss` or `h:mm:ss`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A bar of `width` cells, `fraction` in [0, 1] of them filled. */
export function bar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

export class StudyProgress {
  private run: { id: string; index: number; total: number; epochs: number; started: number } | null = null;
  private epochStarted = 0;
  private dirty = false;
  private lastDraw = 0;

  constructor(
    private readonly sink: ProgressSink,
    private readonly enabled = true,
    private readonly now: () => number = () => Date.now(),
  ) {}

  private get tty(): boolean {
    return this.enabled && this.sink.isTTY === true;
  }

  private clear(): void {
    if (this.dirty) {
      this.sink.write('\r\x1b[2K');
      this.dirty = false;
    }
  }

  private line(text: string): void {
    this.clear();
    this.sink.write(text + '\n');
  }

  /** A run of the grid starts; `index` is 1-based among `total` runs of this invocation. */
  startRun(id: string, index: number, total: number, epochs: number, resumedFromEpoch = 0): void {
    this.run = { id, index, total, epochs, started: this.now() };
    this.epochStarted = this.now();
    const resumed = resumedFromEpoch > 0 ? ` (resuming after epoch ${resumedFromEpoch})` : '';
    this.line(`[${index}/${total}] ${id}: ${epochs} epoch${epochs === 1 ? '' : 's'}${resumed}`);
  }

  /** A run that was already finished in the output folder and is skipped. */
  skipRun(id: string, index: number, total: number): void {
    this.line(`[${index}/${total}] ${id}: already finished, skipped`);
  }

  /** Batch `batch` (1-based) of `batches` in `epoch` finished. Redraws at most every 100 ms. */
  batch(epoch: number, batch: number, batches: number, loss: number, accuracy: number): void {
    if (!this.tty || !this.run) return;
    if (batch === 1) this.epochStarted = this.now();
    const t = this.now();
    if (batch < batches && t - this.lastDraw < 100) return;
    this.lastDraw = t;
    const elapsed = (t - this.epochStarted) / 1000;
    const eta = batch > 0 ? (elapsed / batch) * (batches - batch) : NaN;
    const cols = Math.max(60, this.sink.columns ?? 100);
    const head = `  epoch ${epoch}/${this.run.epochs} `;
    const tail = ` ${batch}/${batches} loss ${loss.toFixed(3)} acc ${accuracy.toFixed(3)} eta ${formatDuration(eta)}`;
    const width = Math.max(10, Math.min(30, cols - head.length - tail.length - 2));
    this.sink.write(`\r\x1b[2K${head}${bar(batch / batches, width)}${tail}`.slice(0, cols + 8));
    this.dirty = true;
  }

  /** An epoch finished: a permanent line with train and val numbers. */
  epoch(r: EpochLine): void {
    if (!this.enabled) return;
    const epochs = this.run?.epochs ?? '?';
    const speed = r.imagesPerSecond !== undefined ? `, ${r.imagesPerSecond.toFixed(1)} img/s` : '';
    const secs = r.epochSeconds !== undefined ? ` (${r.epochSeconds.toFixed(1)} s${speed})` : '';
    this.line(
      `  epoch ${r.epoch}/${epochs}  train loss ${r.trainLoss.toFixed(4)} acc ${r.trainAccuracy.toFixed(4)}  ` +
        `val loss ${r.valLoss.toFixed(4)} acc ${r.valAccuracy.toFixed(4)}${secs}`,
    );
  }

  /** The run ended with `status` (completed, aborted, diverged). */
  endRun(status: string, bestValAccuracy?: number, bestEpoch?: number): void {
    if (!this.run) return;
    const secs = (this.now() - this.run.started) / 1000;
    const best = bestValAccuracy !== undefined ? `, best val acc ${bestValAccuracy.toFixed(4)}${bestEpoch !== undefined ? ` at epoch ${bestEpoch}` : ''}` : '';
    this.line(`  ${status} in ${formatDuration(secs)}${best}`);
    this.run = null;
  }

  /**
   * Progress of a data phase (download in bytes, decode/write/read in images): a redrawn bar on a
   * TTY, nothing otherwise. Redraws at most every 100 ms and always at the end.
   */
  phase(name: string, done: number, total: number): void {
    if (!this.tty) return;
    const t = this.now();
    if (done < total && t - this.lastDraw < 100) return;
    this.lastDraw = t;
    const cols = Math.max(60, this.sink.columns ?? 100);
    const head = `  ${name} `;
    const tail = ` ${done}/${total}`;
    const width = Math.max(10, Math.min(30, cols - head.length - tail.length - 2));
    this.sink.write(`\r\x1b[2K${head}${bar(total > 0 ? done / total : 0, width)}${tail}`);
    this.dirty = true;
  }

  /** A free-form message between runs (data preparation, report). */
  note(text: string): void {
    this.line(text);
  }
}
