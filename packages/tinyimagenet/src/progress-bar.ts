/**
 * A one-line text progress bar for terminals: `label [#####-----]  50.0% 500/1000 123/s`.
 * Redraws at most every `intervalMs`; prints nothing when the stream is not a TTY except the
 * final line.
 */
export class ProgressBar {
  private last = 0;
  private readonly start = Date.now();
  private drawn = false;
  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly label: string,
    private readonly unit = '',
    private readonly intervalMs = 100,
  ) {}

  static format(label: string, done: number, total: number, elapsedS: number, unit = '', width = 30): string {
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(frac * width);
    const rate = elapsedS > 0 ? done / elapsedS : 0;
    const t = total > 0 ? `/${total}` : '';
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(frac * 100).toFixed(1).padStart(5)}% ${done}${t}${unit} ${rate.toFixed(0)}${unit}/s`;
  }

  update(done: number, total: number): void {
    const now = Date.now();
    const final = total > 0 && done >= total;
    if (!final && now - this.last < this.intervalMs) return;
    this.last = now;
    if (!this.out.isTTY && !final) return;
    const line = ProgressBar.format(this.label, done, total, (now - this.start) / 1000, this.unit);
    this.out.write(this.out.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
    this.drawn = this.out.isTTY;
  }

  end(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}
