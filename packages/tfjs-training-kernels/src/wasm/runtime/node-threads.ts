import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { engine, env } from '@tensorflow/tfjs-core';

/** How multithreaded wasm was (or was not) enabled in Node. */
export interface NodeWasmThreadsSetup {
  /** True when the threaded-SIMD build will be used. */
  enabled: boolean;
  /** Human-readable explanation (for `useBackend`'s reason). */
  reason: string;
  /**
   * Undo the temporary `os.cpus` patch and `unref()` the pthread workers (else they keep Node's
   * event loop, and the process, alive); call right after `tf.setBackend('wasm')` settles.
   */
  restore(): void;
}

let workerPathForBlobs: string | null = null;

/**
 * Lets `@tensorflow/tfjs-backend-wasm` 4.x run its threaded-SIMD build in Node with `threads`
 * XNNPACK threads. Stock 4.x cannot: (1) the `WASM_HAS_MULTITHREAD_SUPPORT` flag is hard-coded
 * false under Node (tensorflow/tfjs#3830); (2) the pthread worker is started from a `blob:` URL,
 * which Node's `Worker` rejects (`ERR_WORKER_PATH`); (3) the C++ side caps the pool at
 * `logical cores / 2` (`os.cpus().length / 2` in Node: 1 thread on a 2-core machine).
 *
 * This writes the package's own pthread worker script and main script (from `wasm-out/`) to real
 * files under the OS temp dir, makes `URL.createObjectURL` return that worker file for exactly
 * tfjs's worker blob (and, inside the worker, the main-script file for the main-script blob), sets
 * the flag, and doubles `os.cpus()` only while the backend initialises (so the cap equals the core
 * count). Must run before the wasm backend's first initialisation.
 */
export function prepareNodeWasmThreads(threads: number): NodeWasmThreadsSetup {
  const noop = (): void => undefined;
  if (threads <= 1) return { enabled: false, reason: 'single-threaded (threads: 1)', restore: noop };
  const req = createRequire(import.meta.url);
  const pkgDir = dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const version = (req(join(pkgDir, 'package.json')) as { version: string }).version;
  const workerModule = req(join(pkgDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents?: string;
  };
  const factory = req(join(pkgDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js')) as unknown;
  if (typeof workerModule.wasmWorkerContents !== 'string' || typeof factory !== 'function') {
    return { enabled: false, reason: `unexpected tfjs-backend-wasm ${version} layout: single-threaded`, restore: noop };
  }
  // tfjs escapes newlines before making its worker blob; the blob's size identifies it.
  const workerSource = workerModule.wasmWorkerContents.replace(/\n/g, '\\n');
  const workerBlobSize = Buffer.byteLength(workerSource);
  const mainSource = `var WasmBackendModuleThreadedSimd = ${String(factory)};\n`;
  const hash = createHash('sha256').update(mainSource).update(workerSource).digest('hex').slice(0, 12);
  // Content-addressed, so concurrent processes share the files and nothing piles up in tmp.
  const dir = join(os.tmpdir(), `regstudy-tfjs-wasm-threads-${version}-${hash}`);
  mkdirSync(dir, { recursive: true });
  const mainPath = join(dir, 'tfjs-backend-wasm-threaded-simd.main.js');
  const workerPath = join(dir, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
  writeOnce(mainPath, mainSource);
  writeOnce(
    workerPath,
    `URL.createObjectURL = function () { return ${JSON.stringify(mainPath)}; };\n` +
      'URL.revokeObjectURL = function () {};\n' +
      workerSource,
  );
  if (workerPathForBlobs === null) {
    const original = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (obj: Blob | MediaSource): string =>
      workerPathForBlobs !== null && obj instanceof Blob && obj.type === 'application/javascript' && obj.size === workerBlobSize
        ? workerPathForBlobs
        : original(obj);
  }
  workerPathForBlobs = workerPath;
  env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  const realCpus = os.cpus;
  os.cpus = () => {
    const c = realCpus();
    return c.concat(c);
  };
  return {
    enabled: true,
    reason: `threaded-SIMD build in Node (worker scripts in ${dir})`,
    restore: () => {
      os.cpus = realCpus;
      unrefPthreadWorkers();
    },
  };
}

/** Emscripten's pthread pool, as exposed on the wasm backend's module. */
interface PthreadPool {
  unusedWorkers?: { unref?: () => void }[];
  runningWorkers?: { unref?: () => void }[];
}

function unrefPthreadWorkers(): void {
  const backend = (engine() as unknown as { registry: Record<string, { wasm?: { PThread?: PthreadPool } }> }).registry.wasm;
  const pool = backend?.wasm?.PThread;
  for (const w of [...(pool?.unusedWorkers ?? []), ...(pool?.runningWorkers ?? [])]) w.unref?.();
}

/** Writes `path` atomically (temp file + rename) unless it already exists. */
function writeOnce(path: string, text: string): void {
  if (existsSync(path)) return;
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
