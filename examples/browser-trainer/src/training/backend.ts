// Picks and initialises the tfjs backend inside the training worker, through
// @regstudy/tfjs-training-kernels/browser's useBrowserBackend (which adds the wasm training kernels).
import { useBrowserBackend } from '@regstudy/tfjs-training-kernels/browser';
import type { BackendChoice } from '../settings';

export interface BackendPick {
  backend: string;
  /** why this one: forced, or the reasons the faster ones were skipped */
  reason: string;
  /** threads the backend computes with (wasm: 1 when the page is not cross-origin isolated) */
  threads: number;
}

/**
 * The backend packages, as dynamic imports the bundler can see: each becomes its own chunk,
 * loaded only when useBrowserBackend tries that backend.
 */
const loaders: Record<string, () => Promise<unknown>> = {
  '@tensorflow/tfjs-backend-webgpu': () => import('@tensorflow/tfjs-backend-webgpu'),
  '@tensorflow/tfjs-backend-webgl': () => import('@tensorflow/tfjs-backend-webgl'),
  '@tensorflow/tfjs-backend-wasm': () => import('@tensorflow/tfjs-backend-wasm'),
  '@tensorflow/tfjs-backend-cpu': () => import('@tensorflow/tfjs-backend-cpu'),
};

/** Loads a backend package by name (the `importModule` option of useBrowserBackend). */
export function loadBackendModule(specifier: string): Promise<unknown> {
  const load = loaders[specifier];
  if (!load) return Promise.reject(new Error(`backend: the page does not bundle "${specifier}"`));
  return load();
}

/**
 * Initialises `choice`; 'auto' tries WebGPU (hardware adapters only), WebGL, wasm, then cpu.
 * `wasmBaseUrl` is the folder (ending in '/') where the page serves the tfjs wasm binaries.
 * A forced backend that fails throws, naming what is missing.
 */
export async function selectBackend(choice: BackendChoice, wasmBaseUrl: string): Promise<BackendPick> {
  const sel = await useBrowserBackend(choice, { wasmPaths: wasmBaseUrl, importModule: loadBackendModule });
  return { backend: sel.backend, reason: sel.reason, threads: sel.threads };
}
