import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerJob, WorkerReply } from './decode-worker';

/**
 * Where the worker entry (src/decode-worker.ts, built as dist/decode-worker.cjs) is: next to this
 * module once built (dist/ is flat), else (vitest running src/) in the package's own dist/,
 * found through its exports map; turbo builds the package before its tests.
 */
function workerFile(): string {
  const sibling = fileURLToPath(new URL('./decode-worker.cjs', import.meta.url));
  if (existsSync(sibling)) return sibling;
  const built = join(dirname(createRequire(import.meta.url).resolve('@regstudy/tinyimagenet')), 'decode-worker.cjs');
  if (existsSync(built)) return built;
  throw new Error(`@regstudy/tinyimagenet: decode worker not found at ${sibling} or ${built}; build the package first`);
}

/** One image's outcome in a job: null (decoded), 'read' (file unreadable) or a decode error. */
export type DecodeStatus = null | 'read' | { error: string };

export interface DecodeJobResult {
  pixels: Uint8Array;
  status: DecodeStatus[];
}

/** A job: file paths to read and decode, or the encoded images themselves. */
export type DecodeJob = { paths: string[] } | { data: Uint8Array[] };

/** A pool of worker threads decoding images with sharp; jobs go to the least busy worker. */
export class DecodePool {
  private readonly workers: { w: Worker; busy: number }[] = [];
  private readonly pending = new Map<number, { resolve: (r: DecodeJobResult) => void; reject: (e: unknown) => void; worker: { busy: number } }>();
  private nextId = 0;
  private broken: unknown;

  constructor(
    threads: number,
    private readonly inFlight: number,
  ) {
    const file = workerFile();
    for (let t = 0; t < threads; t++) {
      const w = new Worker(file);
      const entry = { w, busy: 0 };
      w.on('message', (m: WorkerReply) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        p.worker.busy--;
        p.resolve({ pixels: new Uint8Array(m.pixels), status: m.status.map((s) => (s === null || s === 'read' ? s : { error: s.slice(1) })) });
      });
      const fail = (e: unknown): void => {
        this.broken ??= e;
        for (const [id, p] of this.pending) {
          this.pending.delete(id);
          p.reject(e);
        }
      };
      w.on('error', fail);
      w.on('exit', (code) => {
        if (code !== 0) fail(new Error(`decode worker exited with code ${code}`));
      });
      this.workers.push(entry);
    }
  }

  run(job: DecodeJob): Promise<DecodeJobResult> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    const worker = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      worker.busy++;
      if ('paths' in job) {
        const message: WorkerJob = { id, paths: job.paths, inFlight: this.inFlight };
        worker.w.postMessage(message);
      } else {
        const offsets = new Array<number>(job.data.length + 1);
        offsets[0] = 0;
        job.data.forEach((d, i) => (offsets[i + 1] = offsets[i]! + d.byteLength));
        const packed = new Uint8Array(offsets[job.data.length]!);
        job.data.forEach((d, i) => packed.set(d, offsets[i]));
        const message: WorkerJob = { id, packed: packed.buffer, offsets, inFlight: this.inFlight };
        worker.w.postMessage(message, [packed.buffer]);
      }
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map(({ w }) => w.terminate()));
  }
}

/** Images per job: large enough to amortise messaging, small enough to balance the workers. */
export const JOB_IMAGES = 64;
