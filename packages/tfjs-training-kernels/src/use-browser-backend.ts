import { checkBackendOptions } from './check-options';
import { importModule, type ModuleLoader } from './module-loader';
import { selectBackend, type BackendCandidate, type BackendSelection } from './select-backend';
import { registerWasmTrainingKernels } from './wasm/register-training-kernels';
import { raiseBrowserThreadCap } from './wasm/runtime/browser-thread-cap';
import { installOwnGemmOnWasmBackend } from './wasm/runtime/install-own-gemm';
import { createWebThreadedGemm } from './wasm/runtime/web-gemm-threads';
import { asWasmModule, type WasmBackendModule } from './wasm/runtime/wasm-module';
import { describeAdapter, isSoftwareAdapter, type GpuLike } from './webgpu/adapter';
import { registerWebGpuTrainingKernels } from './webgpu/register-webgpu-training-kernels';
import { isSoftwareRenderer, probeWebGl, type WebGlProbe } from './webgl-renderer';

/** Backends `useBrowserBackend` can pick. */
export const browserBackendChoices = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BrowserBackendChoice = (typeof browserBackendChoices)[number];

export interface UseBrowserBackendOptions {
  /** wasm threads; default `navigator.hardwareConcurrency` (needs cross-origin isolation, else 1). */
  threads?: number;
  /** Where the tfjs-backend-wasm `.wasm` files are served (passed to `setWasmPaths`), e.g. `'/wasm/'`. */
  wasmPaths?: string | Record<string, string>;
  /**
   * Loads a backend package by name. Default: dynamic `import()` of the bare name, which needs an
   * import map or a bundler alias; bundled apps pass e.g.
   * `(s) => ({ '@tensorflow/tfjs-backend-webgl': () => import('@tensorflow/tfjs-backend-webgl'), ... })[s]()`.
   */
  importModule?: ModuleLoader;
  /** `navigator.gpu` override (tests). */
  gpu?: GpuLike | null;
  /** Reads the WebGL renderer (tests inject one); default {@link probeWebGl} on a 1x1 canvas. */
  probeWebGl?: WebGlProbe;
}

function defaultGpu(): GpuLike | null {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  return nav?.gpu ?? null;
}

function defaultThreads(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return nav?.hardwareConcurrency ?? 1;
}

/**
 * Picks and activates a tfjs backend in the browser: `'auto'` tries WebGPU (hardware adapters
 * only), WebGL (hardware renderers only: never SwiftShader, llvmpipe or a context with a major
 * performance caveat, see {@link isSoftwareRenderer}), wasm (with
 * {@link registerWasmTrainingKernels}), then cpu; any other choice forces that backend or throws
 * naming what is missing (a forced `'webgl'` on a software renderer runs and says so in the reason).
 *
 * Multithreaded wasm needs a cross-origin isolated page (`Cross-Origin-Opener-Policy: same-origin`
 * and `Cross-Origin-Embedder-Policy: require-corp`), otherwise tfjs-backend-wasm runs one thread.
 * `threads` (default: all logical cores) lifts tfjs's `hardwareConcurrency / 2` cap by reporting
 * twice the cores while the backend initialises. On wasm, our own SIMD128 GEMM is installed on the
 * backend's heap (Web Workers for threads > 1) for matmuls and convolutions (tfjs flag
 * `REGSTUDY_WASM_OWN_GEMM`, default true); the reason says whether it was.
 */
export async function useBrowserBackend(
  choice: BrowserBackendChoice = 'auto',
  options: UseBrowserBackendOptions = {},
): Promise<BackendSelection> {
  checkBackendOptions('useBrowserBackend', choice, browserBackendChoices, options);
  const load = options.importModule ?? importModule;
  let wasm: WasmBackendModule | undefined;
  let restoreCap = (): void => undefined;
  const candidates: Record<Exclude<BrowserBackendChoice, 'auto'>, BackendCandidate> = {
    webgpu: {
      name: 'webgpu',
      async load() {
        const gpu = options.gpu === undefined ? defaultGpu() : options.gpu;
        if (gpu === null) throw new Error('navigator.gpu is not available');
        const adapter = await gpu.requestAdapter();
        if (adapter === null) throw new Error('no WebGPU adapter');
        if (isSoftwareAdapter(adapter)) throw new Error(`the WebGPU adapter is a software rasteriser (${describeAdapter(adapter)})`);
        await load('@tensorflow/tfjs-backend-webgpu');
        registerWebGpuTrainingKernels();
        return `WebGPU on ${describeAdapter(adapter)} with training kernels`;
      },
      threads: () => 1,
    },
    webgl: {
      name: 'webgl',
      async load() {
        const info = (options.probeWebGl ?? probeWebGl)();
        const software = info !== null && isSoftwareRenderer(info);
        if (choice === 'auto') {
          if (info === null) throw new Error('no WebGL context');
          if (software) throw new Error(`WebGL renders in software (${info.renderer || 'unnamed renderer'}), slower than wasm`);
        }
        await load('@tensorflow/tfjs-backend-webgl');
        if (info === null) return 'WebGL';
        return software ? `WebGL on a software renderer (${info.renderer}; wasm is faster)` : `WebGL on ${info.renderer}`;
      },
      threads: () => 1,
    },
    wasm: {
      name: 'wasm',
      async load() {
        wasm = asWasmModule(await load('@tensorflow/tfjs-backend-wasm'));
        if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths);
        const threads = options.threads ?? defaultThreads();
        wasm.setThreadsCount(threads);
        restoreCap = raiseBrowserThreadCap(threads);
        registerWasmTrainingKernels();
        return '@tensorflow/tfjs-backend-wasm (XNNPACK) with training kernels';
      },
      afterInit: () => restoreCap(),
      threads: () => wasm?.getThreadsCount() ?? 1,
    },
    cpu: {
      name: 'cpu',
      async load() {
        await load('@tensorflow/tfjs-backend-cpu');
        return 'pure-JS cpu backend';
      },
      threads: () => 1,
    },
  };
  const order = choice === 'auto' ? (['webgpu', 'webgl', 'wasm', 'cpu'] as const) : ([choice] as const);
  const selection = await selectBackend(order.map((n) => candidates[n]), `useBrowserBackend('${choice}')`);
  if (selection.backend === 'wasm') selection.reason += `; ${await installOwnGemmOnWasmBackend(selection.threads, createWebThreadedGemm)}`;
  return selection;
}
