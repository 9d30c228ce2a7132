import { availableParallelism, cpus } from 'node:os';
import { checkBackendOptions } from './check-options';
import { importModule, type ModuleLoader } from './module-loader';
import { describeError, selectBackend, type BackendCandidate, type BackendSelection } from './select-backend';
import { registerWasmTrainingKernels } from './wasm/register-training-kernels';
import { installOwnGemmOnWasmBackend } from './wasm/runtime/install-own-gemm';
import { createNodeThreadedGemm } from './wasm/runtime/node-gemm-threads';
import { prepareNodeWasmThreads, type NodeWasmThreadsSetup } from './wasm/runtime/node-threads';
import { asWasmModule, type WasmBackendModule } from './wasm/runtime/wasm-module';
import { hasGpuDeviceNode } from './webgpu/gpu-device-node';
import { prepareNodeWebGpu } from './webgpu/node-webgpu';
import { engine } from '@tensorflow/tfjs-core';

/** Backends `useBackend` can pick in Node. */
export const nodeBackendChoices = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type NodeBackendChoice = (typeof nodeBackendChoices)[number];

export interface UseBackendOptions {
  /** wasm threads (XNNPACK pool); default: all cores. tfjs-backend-wasm 4.x runs one thread in Node. */
  threads?: number;
  /**
   * Flags for Dawn's `create()` when trying `webgpu`, e.g. `['adapter=NVIDIA H200']` or
   * `['backend=vulkan']`; default none.
   */
  dawnFlags?: string[];
  /** Module loader (tests inject one to simulate absent packages); default: dynamic `import()`. */
  importModule?: ModuleLoader;
}

/** Number of logical cores of this machine. */
export function coreCount(): number {
  return typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;
}

function tensorflowCandidate(load: ModuleLoader): BackendCandidate {
  return {
    name: 'tensorflow',
    async load() {
      const errors: string[] = [];
      for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
        try {
          await load(pkg);
          return `${pkg} loaded (libtensorflow, native threads)`;
        } catch (e) {
          errors.push(`${pkg}: ${describeError(e)}`);
        }
      }
      throw new Error(`neither optional peer loads (${errors.join('; ')})`);
    },
    threads: () => coreCount(),
  };
}

function wasmCandidate(load: ModuleLoader, threads: number | undefined): BackendCandidate {
  let wasm: WasmBackendModule | undefined;
  let setup: NodeWasmThreadsSetup | undefined;
  return {
    name: 'wasm',
    async load() {
      wasm = asWasmModule(await load('@tensorflow/tfjs-backend-wasm'));
      const count = threads ?? coreCount();
      wasm.setThreadsCount(count);
      // engine().registry holds initialised backends (findBackend() would start initialising).
      const initialised = (engine() as unknown as { registry: Record<string, unknown> }).registry.wasm !== undefined;
      setup = initialised ? undefined : prepareNodeWasmThreads(count);
      const { added, replaced } = registerWasmTrainingKernels();
      return (
        `@tensorflow/tfjs-backend-wasm (XNNPACK) with training kernels ` +
        `(added ${added.join(', ') || 'none'}; faster ${replaced.join(', ') || 'none'}); ` +
        (setup ? setup.reason : 'already initialised')
      );
    },
    afterInit: () => setup?.restore(),
    threads: () => wasm?.getThreadsCount() ?? 1,
  };
}

function webgpuCandidate(load: ModuleLoader, dawnFlags: readonly string[], auto: boolean): BackendCandidate {
  return {
    name: 'webgpu',
    async load() {
      if (auto && !hasGpuDeviceNode()) {
        throw new Error("no GPU device node (/dev/nvidia0, /dev/dri/renderD*), so Dawn was not loaded; useBackend('webgpu') tries anyway");
      }
      return prepareNodeWebGpu(load, dawnFlags);
    },
    threads: () => 1,
  };
}

function cpuCandidate(load: ModuleLoader): BackendCandidate {
  return {
    name: 'cpu',
    async load() {
      await load('@tensorflow/tfjs-backend-cpu');
      return 'pure-JS cpu backend (slow: about 1 image/s for the study models)';
    },
    threads: () => 1,
  };
}

/**
 * Picks and activates the tfjs backend for training in Node.
 *
 * - `'auto'`: `tensorflow` (tfjs-node-gpu, else tfjs-node: optional peers, dynamic import) if one
 *   loads, else `webgpu` (Dawn from the optional peer `webgpu` plus `@tensorflow/tfjs-backend-webgpu`)
 *   only on a hardware GPU adapter (on Linux, Dawn is not even loaded without a GPU device node), else `wasm` with {@link registerWasmTrainingKernels}, else
 *   `cpu`. A software WebGPU adapter (SwiftShader, llvmpipe: the only kind on CPU-only machines,
 *   ~100x slower than wasm) is never used.
 * - `'tensorflow'` | `'webgpu'` | `'wasm'` | `'cpu'`: that backend or an error naming the missing
 *   package or adapter.
 *
 * @returns which backend is active, why, and with how many threads.
 */
export async function useBackend(choice: NodeBackendChoice = 'auto', options: UseBackendOptions = {}): Promise<BackendSelection> {
  checkBackendOptions('useBackend', choice, nodeBackendChoices, options);
  const flags = options.dawnFlags ?? [];
  const load = options.importModule ?? importModule;
  const candidates: Record<Exclude<NodeBackendChoice, 'auto'>, BackendCandidate> = {
    tensorflow: tensorflowCandidate(load),
    webgpu: webgpuCandidate(load, flags, choice === 'auto'),
    wasm: wasmCandidate(load, options.threads),
    cpu: cpuCandidate(load),
  };
  const order = choice === 'auto' ? (['tensorflow', 'webgpu', 'wasm', 'cpu'] as const) : ([choice] as const);
  const selection = await selectBackend(order.map((n) => candidates[n]), `useBackend('${choice}')`);
  if (selection.backend === 'wasm') selection.reason += `; ${await installOwnGemmOnWasmBackend(selection.threads, createNodeThreadedGemm)}`;
  return selection;
}
