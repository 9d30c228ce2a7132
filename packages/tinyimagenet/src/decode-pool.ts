import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The worker's code (CommonJS, run with `eval: true` so that it needs no separate file in the
 * bundle). Its `decode` is a copy of decodeInto (decode.ts): keep the two identical; the tests
 * compare the bytes of both paths. A job is a contiguous run of images, given either as file
 * paths (read here with readFileSync) or as one packed buffer with offsets; the reply carries
 * their pixels in one transferred buffer and, per image, null (decoded), 'read' (could not read
 * the file: the caller retries on the main thread to report the original error) or a decode
 * error message.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const sharp = require(workerData.sharpPath);
const SIZE = 64, BYTES = SIZE * SIZE * 3;
async function decode(data, out, offset) {
  const { data: px, info } = await sharp(data, { failOn: 'warning' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.width !== SIZE || info.height !== SIZE) throw new Error('image is ' + info.width + 'x' + info.height + 'x' + info.channels + ', expected ' + SIZE + 'x' + SIZE + 'x3');
  if (info.channels === 3) out.set(px, offset);
  else if (info.channels === 1) {
    for (let i = 0; i < SIZE * SIZE; i++) { const v = px[i]; out[offset + 3 * i] = v; out[offset + 3 * i + 1] = v; out[offset + 3 * i + 2] = v; }
  } else throw new Error('image has ' + info.channels + ' channels after conversion, expected 3');
  if (px.length < (info.channels === 1 ? BYTES / 3 : BYTES)) throw new Error('decoded image is short');
}
parentPort.on('message', async (job) => {
  const n = job.paths ? job.paths.length : job.offsets.length - 1;
  const packed = job.packed ? new Uint8Array(job.packed) : undefined;
  const pixels = new Uint8Array(n * BYTES);
  const status = new Array(n).fill(null);
  let next = 0;
  const run = async () => {
    while (next < n) {
      const i = next++;
      let data;
      if (job.paths) {
        try { data = readFileSync(job.paths[i]); } catch { status[i] = 'read'; continue; }
      } else data = packed.subarray(job.offsets[i], job.offsets[i + 1]);
      try { await decode(data, pixels, i * BYTES); } catch (e) { status[i] = 'x' + (e instanceof Error ? e.message : String(e)); }
    }
  };
  await Promise.all(Array.from({ length: job.inFlight }, run));
  parentPort.postMessage({ id: job.id, pixels: pixels.buffer, status }, [pixels.buffer]);
});
`;

/** One image's outcome in a job: null (decoded), 'read' (file unreadable) or a decode error. */
export type DecodeStatus = null | 'read' | { error: string };

export interface DecodeJobResult {
  pixels: Uint8Array;
  status: DecodeStatus[];
}

/** A job: file paths to read and decode, or the encoded images themselves. */
export type DecodeJob = { paths: string[] } | { data: Uint8Array[] };

let sharpPath: string | undefined;

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
    sharpPath ??= createRequire(import.meta.url).resolve('sharp');
    for (let t = 0; t < threads; t++) {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { sharpPath } });
      const entry = { w, busy: 0 };
      w.on('message', (m: { id: number; pixels: ArrayBuffer; status: (string | null)[] }) => {
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
        worker.w.postMessage({ id, paths: job.paths, inFlight: this.inFlight });
      } else {
        const offsets = new Array<number>(job.data.length + 1);
        offsets[0] = 0;
        job.data.forEach((d, i) => (offsets[i + 1] = offsets[i]! + d.byteLength));
        const packed = new Uint8Array(offsets[job.data.length]!);
        job.data.forEach((d, i) => packed.set(d, offsets[i]));
        worker.w.postMessage({ id, packed: packed.buffer, offsets, inFlight: this.inFlight }, [packed.buffer]);
      }
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map(({ w }) => w.terminate()));
  }
}

/** Images per job: large enough to amortise messaging, small enough to balance the workers. */
export const JOB_IMAGES = 64;
