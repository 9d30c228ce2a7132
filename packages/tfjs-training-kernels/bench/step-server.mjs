// A child process that answers one JSON line on stdout per JSON request line on stdin: the step
// servers of `pnpm bench`'s interleaved rounds (pytorch_bench.py --serve, bench.mjs --child).
// Lines on its stdout that are not JSON objects are passed on to stderr.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export class StepServer {
  /** Starts `command args`; `ready` resolves with its first JSON line (what it measured at start). */
  constructor(label, command, args) {
    this.label = label;
    this.pending = [];
    this.exit = null;
    this.proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    this.proc.on('error', (e) => this.fail(`${label}: ${e.message}`));
    this.proc.on('exit', (code, signal) => this.fail(`${label} exited with ${code ?? signal}`));
    // A request written after the child died must not crash the bench (EPIPE).
    this.proc.stdin.on('error', () => {});
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) {
        process.stderr.write(`${line}\n`);
        return;
      }
      const p = this.pending.shift();
      if (!p) return;
      try {
        p.resolve(JSON.parse(line));
      } catch {
        p.reject(new Error(`${label}: a reply that is not JSON: ${line.slice(0, 200)}`));
      }
    });
    this.ready = this.reply();
  }

  fail(message) {
    this.exit ??= message;
    for (const p of this.pending.splice(0)) p.reject(new Error(message));
  }

  reply() {
    return new Promise((resolve, reject) => {
      if (this.exit !== null) reject(new Error(this.exit));
      else this.pending.push({ resolve, reject });
    });
  }

  /** Sends `req` as one line; resolves with the reply line, parsed. */
  request(req) {
    const p = this.reply();
    if (this.exit === null) this.proc.stdin.write(`${JSON.stringify(req)}\n`);
    return p;
  }

  /** Ends its stdin (it exits at EOF) and waits for it to exit. */
  close() {
    if (this.exit !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.proc.once('exit', () => resolve());
      this.proc.stdin.end();
    });
  }
}
