import { findBackendFactory } from '@tensorflow/tfjs-core';
import type { ModuleLoader } from '../module-loader';
import { describeAdapter, isSoftwareAdapter, type GpuLike } from './adapter';
import { registerWebGpuTrainingKernels } from './register-webgpu-training-kernels';

/** The part of the npm `webgpu` package (Dawn's `dawn.node`) that is used here. */
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

function asDawnModule(mod: unknown): DawnModule {
  const m = mod as Partial<DawnModule> | null;
  if (typeof m?.create !== 'function' || typeof m.globals !== 'object' || m.globals === null) {
    throw new Error("the 'webgpu' package does not export create() and globals (expected the npm package of dawn.node)");
  }
  return m as DawnModule;
}

/** Puts `gpu` at `navigator.gpu` (Node 20 has no `navigator`; Node 21+ has one without `gpu`). */
function installNavigatorGpu(gpu: GpuLike): void {
  const g = globalThis as { navigator?: object };
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  }
}

/**
 * Makes tfjs's WebGPU backend usable in Node through Dawn (`webgpu` on npm, an optional peer):
 * creates a Dawn instance with `dawnFlags`, asks it for a high-performance adapter, rejects a missing
 * or software one (SwiftShader, llvmpipe, lavapipe: ~100x slower than wasm), installs Dawn's globals
 * (`GPUBufferUsage`, ...) and `navigator.gpu`, then imports `@tensorflow/tfjs-backend-webgpu`, which
 * registers the `webgpu` backend on import when `navigator.gpu` exists, and registers
 * {@link registerWebGpuTrainingKernels}.
 *
 * Dawn keeps Node's event loop alive while `navigator.gpu` is referenced: a script that is done
 * should dispose its tensors and call `process.exit()`.
 *
 * @returns why the backend is usable, naming the adapter.
 * @throws Error naming the missing package, or saying that no hardware adapter was found.
 */
export async function prepareNodeWebGpu(load: ModuleLoader, dawnFlags: readonly string[]): Promise<string> {
  const dawn = asDawnModule(await load('webgpu'));
  const gpu = dawn.create([...dawnFlags]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) {
    throw new Error("Dawn found no usable WebGPU adapter (on Linux it needs libvulkan.so.1 and the GPU vendor's Vulkan driver; Dawn prints why on stderr)");
  }
  if (isSoftwareAdapter(adapter)) {
    throw new Error(`the only WebGPU adapter is a software rasteriser (${describeAdapter(adapter)}), about 100x slower than wasm`);
  }
  const added = Object.keys(dawn.globals).filter((name) => !(name in globalThis));
  for (const name of added) {
    Object.defineProperty(globalThis, name, { value: dawn.globals[name], configurable: true, writable: true });
  }
  installNavigatorGpu(gpu);
  let replaced: string[];
  try {
    await load('@tensorflow/tfjs-backend-webgpu');
    if (findBackendFactory('webgpu') === null) {
      throw new Error(
        '@tensorflow/tfjs-backend-webgpu was imported before navigator.gpu existed, so it registered no backend; ' +
          "let useBackend('webgpu') be the first to import it",
      );
    }
    ({ replaced } = registerWebGpuTrainingKernels());
  } catch (e) {
    // Leave nothing behind: a referenced Dawn instance would keep the process alive.
    delete (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
    for (const name of added) delete (globalThis as Record<string, unknown>)[name];
    throw e;
  }
  return (
    `@tensorflow/tfjs-backend-webgpu on Dawn (npm 'webgpu'), adapter ${describeAdapter(adapter)}; ` +
    `training kernels: faster ${replaced.join(', ') || 'none'}`
  );
}
