// Picks and initialises the tfjs backend inside the training worker.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendChoice } from '../settings';

/** The order in which 'auto' tries the backends: fastest first. */
export const autoOrder = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

export interface BackendPick {
  backend: string;
  /** why this one: forced, or the reasons the faster ones were skipped */
  reason: string;
  /** wasm only: the number of threads (1 when the page is not cross-origin isolated) */
  threads?: number;
}

export interface BackendHooks {
  /** called before the wasm backend is initialised (register the training kernels here) */
  beforeWasm?: () => void;
}

/**
 * Initialises `choice` (or, for 'auto', the first of webgpu, webgl, wasm, cpu that initialises
 * and runs a 1+1 smoke test). `wasmBaseUrl` is the folder (ending in '/') of the tfjs wasm
 * binaries, served by the page itself. A forced backend that fails throws, naming it.
 */
export async function selectBackend(choice: BackendChoice, wasmBaseUrl: string, hooks: BackendHooks = {}): Promise<BackendPick> {
  const order: readonly string[] = choice === 'auto' ? autoOrder : [choice];
  const skipped: string[] = [];
  for (const name of order) {
    if (name === 'wasm') {
      setWasmPaths(wasmBaseUrl);
      hooks.beforeWasm?.();
    }
    let ok = false;
    let why = 'initialisation failed';
    try {
      ok = await tf.setBackend(name);
      if (ok) {
        await tf.ready();
        const two = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)));
        const v = (await two.data())[0];
        two.dispose();
        if (v !== 2) {
          ok = false;
          why = `smoke test gave ${v}`;
        }
      }
    } catch (e) {
      ok = false;
      why = e instanceof Error ? e.message : String(e);
    }
    if (ok) {
      const pick: BackendPick = {
        backend: tf.getBackend(),
        reason: choice === 'auto' ? (skipped.length ? `auto; skipped ${skipped.join('; ')}` : 'auto; first choice') : 'forced',
      };
      if (name === 'wasm') pick.threads = getThreadsCount();
      return pick;
    }
    if (choice !== 'auto') throw new Error(`backend: "${name}" could not be initialised (${why})`);
    skipped.push(`${name} (${why})`);
  }
  throw new Error(`backend: none of ${order.join(', ')} could be initialised`);
}
