// Entry of the decode worker threads (built as dist/decode-worker.cjs; see decode-pool.ts).
// A job is a contiguous run of images, given either as file paths (read here) or as one packed
// buffer with offsets; the reply carries their pixels in one transferred buffer and, per image,
// null (decoded), 'read' (could not read the file: the caller retries on the main thread to
// report the original error) or 'x' + the decode error message.
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { decodeInto } from './decode';
import { IMAGE_BYTES } from './layout';

/** A job as posted by DecodePool. */
export interface WorkerJob {
  id: number;
  inFlight: number;
  paths?: string[];
  packed?: ArrayBuffer;
  offsets?: number[];
}

/** The worker's reply. */
export interface WorkerReply {
  id: number;
  pixels: ArrayBuffer;
  status: (string | null)[];
}

async function runJob(job: WorkerJob): Promise<WorkerReply> {
  const n = job.paths ? job.paths.length : (job.offsets?.length ?? 1) - 1;
  const packed = job.packed ? Buffer.from(job.packed) : undefined;
  const pixels = new Uint8Array(n * IMAGE_BYTES);
  const status: (string | null)[] = new Array<string | null>(n).fill(null);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      let data: Buffer;
      if (job.paths) {
        try {
          data = readFileSync(job.paths[i]!);
        } catch {
          status[i] = 'read';
          continue;
        }
      } else {
        data = packed!.subarray(job.offsets![i]!, job.offsets![i + 1]!);
      }
      try {
        await decodeInto(data, pixels, i * IMAGE_BYTES);
      } catch (e) {
        status[i] = `x${e instanceof Error ? e.message : String(e)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: job.inFlight }, lane));
  return { id: job.id, pixels: pixels.buffer, status };
}

parentPort?.on('message', (job: WorkerJob) => {
  void runJob(job).then((reply) => parentPort!.postMessage(reply, [reply.pixels]));
});
