import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { existsSync, readdirSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hasGpuDeviceNode } from '../src/webgpu/gpu-device-node';

// 'auto' loads Dawn only where a GPU device node exists; the tests choose (default: as if one did).
vi.mock('../src/webgpu/gpu-device-node', () => ({ hasGpuDeviceNode: vi.fn(() => true) }));
import { coreCount, useBackend } from '../src/use-backend';
import { importModule } from '../src/module-loader';
import { useBrowserBackend } from '../src/use-browser-backend';
import { isSoftwareAdapter } from '../src/webgpu/adapter';
import { isSoftwareRenderer, probeWebGl } from '../src/webgl-renderer';
import { raiseBrowserThreadCap } from '../src/wasm/runtime/browser-thread-cap';
import { onBackend, randomValues, relativeError } from './helpers/backends';

/** A loader that fails for `absent` packages (like a missing optional peer) and imports the rest. */
function loaderWithout(absent: string[], fakes: Record<string, () => void> = {}) {
  const calls: string[] = [];
  const load = async (spec: string) => {
    calls.push(spec);
    if (absent.includes(spec)) throw new Error(`Cannot find package '${spec}'`);
    const fake = fakes[spec];
    if (fake) {
      fake();
      return {};
    }
    return importModule(spec);
  };
  return { load, calls };
}

afterEach(async () => {
  if (tf.findBackend('tensorflow') !== null) tf.removeBackend('tensorflow');
  await tf.setBackend('cpu');
});

describe('useBackend (Node)', () => {
  it("'auto' falls back to wasm with training kernels when tfjs-node(-gpu) and webgpu are not installed", async () => {
    // The real loader, except that Dawn (installed here as a dev dependency) is hidden, so that the
    // test means the same on a machine with a GPU. tfjs-node is not installed in this workspace.
    const { load } = loaderWithout(['webgpu']);
    const sel = await useBackend('auto', { importModule: load });
    expect(sel.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(sel.reason).toMatch(/tfjs-backend-wasm/);
    expect(sel.reason).toMatch(/skipped tensorflow: neither optional peer loads/);
    expect(sel.attempts.map((a) => a.backend)).toEqual(['tensorflow', 'webgpu', 'wasm']);
    expect(sel.attempts[0]!.error).toMatch(/@tensorflow\/tfjs-node-gpu.*@tensorflow\/tfjs-node/);
    expect(sel.attempts[1]!.error).toBe("Cannot find package 'webgpu'");
    // Multithreaded in Node (see node-threads.ts): every core, up to XNNPACK's 8-thread pool.
    expect(sel.threads).toBe(Math.min(coreCount(), 8));
    expect(sel.reason).toMatch(coreCount() > 1 ? /threaded-SIMD build in Node/ : /single-threaded/);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('the multithreaded wasm backend computes conv2d gradients equal to cpu', async () => {
    await useBackend('wasm');
    const x = tf.tensor4d(randomValues(2 * 9 * 9 * 16, 3), [2, 9, 9, 16]);
    const f = tf.tensor4d(randomValues(3 * 3 * 16 * 24, 4), [3, 3, 16, 24]);
    const run = (backend: 'cpu' | 'wasm') =>
      onBackend(backend, () => {
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'));
        return g([tf.tensor(x.dataSync(), x.shape), tf.tensor(f.dataSync(), f.shape)]);
      });
    const [dxW, dfW] = run('wasm');
    const [dxC, dfC] = run('cpu');
    expect(relativeError(dxW!, dxC!)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(dfW!, dfC!)).toBeLessThanOrEqual(1e-4);
    x.dispose();
    f.dispose();
  });

  it("'auto' picks tfjs-node when it loads, after trying tfjs-node-gpu first", async () => {
    const { load, calls } = loaderWithout(['@tensorflow/tfjs-node-gpu'], {
      '@tensorflow/tfjs-node': () => tf.registerBackend('tensorflow', () => new MathBackendCPU()),
    });
    const sel = await useBackend('auto', { importModule: load });
    expect(sel).toMatchObject({ backend: 'tensorflow' });
    expect(sel.reason).toMatch(/^@tensorflow\/tfjs-node loaded/);
    expect(calls).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    expect(tf.getBackend()).toBe('tensorflow');
  });

  it("'auto' ends at cpu when neither tfjs-node nor tfjs-backend-wasm loads", async () => {
    const { load } = loaderWithout([
      '@tensorflow/tfjs-node-gpu',
      '@tensorflow/tfjs-node',
      '@tensorflow/tfjs-backend-wasm',
    ]);
    const sel = await useBackend('auto', { importModule: load });
    expect(sel.backend).toBe('cpu');
    expect(sel.threads).toBe(1);
    expect(sel.reason).toMatch(/skipped tensorflow: .*; wasm: Cannot find package '@tensorflow\/tfjs-backend-wasm'/);
  });

  it("forcing 'tensorflow' without the package fails cleanly, naming both packages", async () => {
    await expect(useBackend('tensorflow')).rejects.toThrow(
      /useBackend\('tensorflow'\): no backend could be initialised: tensorflow: neither optional peer loads \(@tensorflow\/tfjs-node-gpu: .*@tensorflow\/tfjs-node: /,
    );
    expect(tf.getBackend()).toBe('cpu');
  });

  it("forcing 'cpu' and 'wasm' activates exactly that backend", async () => {
    expect((await useBackend('cpu')).backend).toBe('cpu');
    const wasm = await useBackend('wasm', { threads: 2 });
    expect(wasm.backend).toBe('wasm');
    expect(wasm.attempts).toEqual([{ backend: 'wasm', error: null }]);
  });

  it('rejects an unknown backend name and invalid options, naming them', async () => {
    // @ts-expect-error testing a bad value
    await expect(useBackend('metal')).rejects.toThrow(
      `useBackend(): option 'backend': expected one of "auto", "tensorflow", "webgpu", "wasm", "cpu", got "metal"`,
    );
    // @ts-expect-error testing a bad value
    await expect(useBackend('cpu', { dawnFlags: 'backend=vulkan' })).rejects.toThrow(`useBackend(): option 'dawnFlags': expected an array, got "backend=vulkan"`);
    await expect(useBackend('cpu', { threads: 0 })).rejects.toThrow(`useBackend(): option 'threads': expected an integer >= 1, got 0`);
    // @ts-expect-error testing a bad option
    await expect(useBackend('cpu', { thread: 2 })).rejects.toThrow(`useBackend(): option 'thread': unknown option (known: threads, dawnFlags, importModule)`);
    // One error class across the packages (@regstudy/options), with a stable code.
    await expect(useBackend('cpu', { threads: 1.5 })).rejects.toMatchObject({ name: 'OptionsError', code: 'ERR_REGSTUDY_OPTIONS', option: 'threads' });
  });
});

describe("useBackend('webgpu') (Node, Dawn)", () => {
  type FakeAdapter = { info: { vendor: string; architecture: string } } | null;
  const fakeDawn = (adapter: FakeAdapter) => {
    const created: string[][] = [];
    const gpu = { requestAdapter: async () => adapter };
    const module = { create: (flags: string[]) => (created.push(flags), gpu), globals: { GPUBufferUsageTestOnly: { STORAGE: 128 } } };
    return { module, gpu, created };
  };
  const loaderWith = (dawn: unknown) => {
    const calls: string[] = [];
    const load = async (spec: string) => {
      calls.push(spec);
      if (spec === 'webgpu') return dawn;
      if (spec.startsWith('@tensorflow/tfjs-node')) throw new Error(`Cannot find package '${spec}'`);
      return importModule(spec);
    };
    return { load, calls };
  };
  const navigatorGpu = () => (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;

  it('refuses a software adapter (SwiftShader), names it, and installs nothing', async () => {
    const { module } = fakeDawn({ info: { vendor: 'google', architecture: 'swiftshader' } });
    const { load, calls } = loaderWith(module);
    await expect(useBackend('webgpu', { importModule: load })).rejects.toThrow(
      /webgpu: the only WebGPU adapter is a software rasteriser \(google swiftshader\), about 100x slower than wasm/,
    );
    expect(calls).toEqual(['webgpu']);
    expect(navigatorGpu()).toBeUndefined();
    expect('GPUBufferUsageTestOnly' in globalThis).toBe(false);
  });

  it("'auto' passes over Dawn without an adapter, and over a package that is not Dawn", async () => {
    const none = await useBackend('auto', { importModule: loaderWith(fakeDawn(null).module).load });
    expect(none.backend).toBe('wasm');
    expect(none.attempts[1]).toEqual({ backend: 'webgpu', error: expect.stringMatching(/^Dawn found no usable WebGPU adapter/) });
    const odd = await useBackend('auto', { importModule: loaderWith({ default: {} }).load });
    expect(odd.attempts[1]!.error).toMatch(/the 'webgpu' package does not export create\(\) and globals/);
  });

  it('removes navigator.gpu and the globals again when tfjs-backend-webgpu does not load', async () => {
    const { module } = fakeDawn({ info: { vendor: 'nvidia', architecture: 'hopper' } });
    const load = async (spec: string) => {
      if (spec === 'webgpu') return module;
      throw new Error(`Cannot find package '${spec}'`);
    };
    await expect(useBackend('webgpu', { importModule: load })).rejects.toThrow(/webgpu: Cannot find package '@tensorflow\/tfjs-backend-webgpu'/);
    expect(navigatorGpu()).toBeUndefined();
    expect('GPUBufferUsageTestOnly' in globalThis).toBe(false);
  });

  it("'auto' does not load Dawn on Linux without a GPU device node", async () => {
    vi.mocked(hasGpuDeviceNode).mockReturnValueOnce(false);
    const { load, calls } = loaderWith(fakeDawn({ info: { vendor: 'nvidia', architecture: 'hopper' } }).module);
    const sel = await useBackend('auto', { importModule: load });
    expect(sel.backend).toBe('wasm');
    expect(sel.attempts[1]!.error).toMatch(/^no GPU device node \(\/dev\/nvidia0, \/dev\/dri\/renderD\*\), so Dawn was not loaded/);
    expect(calls).not.toContain('webgpu');
  });

  it('with a hardware adapter: passes dawnFlags, installs navigator.gpu and the globals before importing tfjs-backend-webgpu', async () => {
    const { module, gpu, created } = fakeDawn({ info: { vendor: 'nvidia', architecture: 'hopper' } });
    const { load, calls } = loaderWith(module);
    try {
      // The fake adapter cannot create a device, so the backend fails to initialise: the test
      // checks everything up to that point.
      await expect(useBackend('webgpu', { importModule: load, dawnFlags: ['backend=vulkan'] })).rejects.toThrow(
        /webgpu: tf.setBackend\('webgpu'\) failed to initialise/,
      );
      expect(created).toEqual([['backend=vulkan']]);
      expect(calls).toEqual(['webgpu', '@tensorflow/tfjs-backend-webgpu']);
      expect(navigatorGpu()).toBe(gpu);
      expect((globalThis as Record<string, unknown>).GPUBufferUsageTestOnly).toEqual({ STORAGE: 128 });
      expect(tf.findBackendFactory('webgpu')).not.toBeNull(); // registered on import: navigator.gpu was there
      expect(tf.getKernel('Conv2DBackpropFilter', 'webgpu')).toBeDefined();
    } finally {
      if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
      delete (globalThis as { navigator?: { gpu?: unknown } }).navigator!.gpu;
      delete (globalThis as Record<string, unknown>).GPUBufferUsageTestOnly;
    }
  });

  // The real Dawn (a dev dependency): on machines without a GPU it must fail cleanly. Skipped where
  // a GPU device node exists, since Dawn may then find a real adapter.
  const hasGpuDevice = existsSync('/dev/nvidia0') || existsSync('/dev/dri');
  it.skipIf(hasGpuDevice)('the real Dawn without a GPU fails cleanly, and auto goes on to wasm', async () => {
    await expect(useBackend('webgpu')).rejects.toThrow(/useBackend\('webgpu'\): no backend could be initialised: webgpu: Dawn found no usable WebGPU adapter/);
    expect(navigatorGpu()).toBeUndefined();
    const sel = await useBackend('auto');
    expect(sel.backend).toBe('wasm');
  });
});

describe('useBrowserBackend', () => {
  const hardware = { requestAdapter: async () => ({ info: { vendor: 'nvidia', architecture: 'ampere' } }) };
  const swiftshader = { requestAdapter: async () => ({ info: { vendor: 'google', architecture: 'swiftshader' } }) };
  // Headless Chromium's WebGL (what the browser-trainer page got): SwiftShader behind ANGLE.
  const swiftshaderGl = () => ({ renderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)', majorPerformanceCaveat: false });
  const hardwareGl = () => ({ renderer: 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3080 Direct3D11 vs_5_0 ps_5_0)', majorPerformanceCaveat: false });
  const fakeWebGl = { '@tensorflow/tfjs-backend-webgl': () => tf.registerBackend('webgl', () => new MathBackendCPU()) };
  afterEach(() => {
    if (tf.findBackend('webgl') !== null) tf.removeBackend('webgl');
  });


  it('skips WebGPU without navigator.gpu and WebGL when it does not load, and lands on wasm', async () => {
    const { load } = loaderWithout(['@tensorflow/tfjs-backend-webgl']);
    const sel = await useBrowserBackend('auto', { importModule: load, gpu: null, threads: 1, probeWebGl: hardwareGl });
    expect(sel.backend).toBe('wasm');
    expect(sel.attempts.map((a) => a.error)).toEqual([
      'navigator.gpu is not available',
      "Cannot find package '@tensorflow/tfjs-backend-webgl'",
      null,
    ]);
  });

  it('never picks a software (SwiftShader) WebGPU adapter', async () => {
    const { load, calls } = loaderWithout(['@tensorflow/tfjs-backend-webgl']);
    const sel = await useBrowserBackend('auto', { importModule: load, gpu: swiftshader });
    expect(sel.backend).toBe('wasm');
    expect(sel.reason).toMatch(/webgpu: the WebGPU adapter is a software rasteriser/);
    expect(calls).not.toContain('@tensorflow/tfjs-backend-webgpu');
  });

  it('tries a hardware WebGPU adapter first (and reports the package failing to load)', async () => {
    const { load, calls } = loaderWithout(['@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-webgl']);
    const sel = await useBrowserBackend('auto', { importModule: load, gpu: hardware });
    expect(calls[0]).toBe('@tensorflow/tfjs-backend-webgpu');
    expect(sel.backend).toBe('wasm');
  });

  it("'auto' passes over a SwiftShader WebGL renderer without loading the WebGL backend, and lands on wasm", async () => {
    const { load, calls } = loaderWithout([], fakeWebGl);
    const sel = await useBrowserBackend('auto', { importModule: load, gpu: null, threads: 1, probeWebGl: swiftshaderGl });
    expect(sel.backend).toBe('wasm');
    expect(sel.attempts[1]).toEqual({ backend: 'webgl', error: expect.stringMatching(/^WebGL renders in software \(ANGLE \(Google, Vulkan.*SwiftShader driver\)\), slower than wasm$/) });
    expect(calls).not.toContain('@tensorflow/tfjs-backend-webgl');
  });

  it("'auto' passes over a context the browser flags with a major performance caveat, and over no WebGL context", async () => {
    const { load } = loaderWithout([], fakeWebGl);
    const caveat = () => ({ renderer: 'WebKit WebGL', majorPerformanceCaveat: true });
    const a = await useBrowserBackend('auto', { importModule: load, gpu: null, threads: 1, probeWebGl: caveat });
    expect([a.backend, a.attempts[1]?.error]).toEqual(['wasm', 'WebGL renders in software (WebKit WebGL), slower than wasm']);
    const b = await useBrowserBackend('auto', { importModule: load, gpu: null, threads: 1, probeWebGl: () => null });
    expect([b.backend, b.attempts[1]?.error]).toEqual(['wasm', 'no WebGL context']);
  });

  it("'auto' takes WebGL on a hardware renderer and names it", async () => {
    const { load, calls } = loaderWithout([], fakeWebGl);
    const sel = await useBrowserBackend('auto', { importModule: load, gpu: null, probeWebGl: hardwareGl });
    expect(sel.backend).toBe('webgl');
    expect(sel.reason).toMatch(/^WebGL on ANGLE \(NVIDIA, NVIDIA GeForce RTX 3080/);
    expect(calls).toContain('@tensorflow/tfjs-backend-webgl');
  });

  it("forcing 'webgl' on SwiftShader runs it and says it is a software renderer", async () => {
    const { load } = loaderWithout([], fakeWebGl);
    const sel = await useBrowserBackend('webgl', { importModule: load, probeWebGl: swiftshaderGl });
    expect(sel.backend).toBe('webgl');
    expect(sel.reason).toMatch(/^WebGL on a software renderer \(ANGLE .*SwiftShader driver\); wasm is faster\)$/);
  });

  it('isSoftwareRenderer: SwiftShader, llvmpipe, a performance caveat yes; a hardware renderer no; probeWebGl is null without a canvas', () => {
    expect(isSoftwareRenderer(swiftshaderGl())).toBe(true);
    expect(isSoftwareRenderer({ renderer: 'llvmpipe (LLVM 15.0.7, 256 bits)', majorPerformanceCaveat: false })).toBe(true);
    expect(isSoftwareRenderer({ renderer: 'Apple M2', majorPerformanceCaveat: true })).toBe(true);
    expect(isSoftwareRenderer(hardwareGl())).toBe(false);
    expect(probeWebGl()).toBeNull(); // Node has neither OffscreenCanvas nor document
  });

  it('probeWebGl reads the unmasked renderer, falls back to gl.RENDERER, and reports a refused strict context', () => {
    const g = globalThis as { OffscreenCanvas?: unknown };
    const lost: string[] = [];
    const fakeCanvas = (debugInfo: boolean, strictOk: boolean) =>
      class {
        getContext(kind: string, attrs?: { failIfMajorPerformanceCaveat?: boolean }) {
          if (kind !== 'webgl2') return null;
          if (attrs?.failIfMajorPerformanceCaveat === true && !strictOk) return null;
          return {
            getExtension: (n: string) => (n === 'WEBGL_debug_renderer_info' ? (debugInfo ? {} : null) : n === 'WEBGL_lose_context' ? { loseContext: () => lost.push(kind) } : null),
            getParameter: (p: number) => (p === 0x9246 ? 'Unmasked GPU' : p === 0x1f01 ? 'WebKit WebGL' : null),
          };
        }
      };
    try {
      g.OffscreenCanvas = fakeCanvas(true, true);
      expect(probeWebGl()).toEqual({ renderer: 'Unmasked GPU', majorPerformanceCaveat: false });
      g.OffscreenCanvas = fakeCanvas(false, false);
      expect(probeWebGl()).toEqual({ renderer: 'WebKit WebGL', majorPerformanceCaveat: true });
      expect(lost).toHaveLength(3); // both contexts of the first probe, the one of the second
    } finally {
      delete g.OffscreenCanvas;
    }
  });

  it("forcing 'webgl' when it is missing throws; forcing 'cpu' works", async () => {
    const { load } = loaderWithout(['@tensorflow/tfjs-backend-webgl']);
    await expect(useBrowserBackend('webgl', { importModule: load })).rejects.toThrow(/useBrowserBackend\('webgl'\)/);
    expect((await useBrowserBackend('cpu', { importModule: load })).backend).toBe('cpu');
  });

  it('rejects an unknown backend name and invalid options, naming them', async () => {
    // @ts-expect-error testing a bad value
    await expect(useBrowserBackend('tensorflow')).rejects.toThrow(`useBrowserBackend(): option 'backend': expected one of "auto", "webgpu", "webgl", "wasm", "cpu", got "tensorflow"`);
    await expect(useBrowserBackend('cpu', { wasmPaths: 3 as unknown as string })).rejects.toThrow(`useBrowserBackend(): option 'wasmPaths'`);
    // @ts-expect-error testing a bad option
    await expect(useBrowserBackend('cpu', { dawnFlags: [] })).rejects.toThrow(`useBrowserBackend(): option 'dawnFlags': unknown option`);
  });

  it('isSoftwareAdapter recognises fallback and SwiftShader adapters only', () => {
    expect(isSoftwareAdapter({ isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'google', architecture: 'swiftshader' } })).toBe(true);
    expect(isSoftwareAdapter({ info: { description: 'llvmpipe (LLVM 15.0.7, 256 bits)' } })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'nvidia', architecture: 'hopper' } })).toBe(false);
  });
});

describe('raiseBrowserThreadCap', () => {
  it('reports 2 x threads cores while active and restores an own property or the prototype getter', () => {
    const proto = { get hardwareConcurrency() { return 2; } };
    const nav = Object.create(proto) as { hardwareConcurrency: number };
    const restore = raiseBrowserThreadCap(2, nav);
    expect(nav.hardwareConcurrency).toBe(4); // tfjs then computes 4 / 2 = 2 threads
    restore();
    expect(nav.hardwareConcurrency).toBe(2);
    expect(Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency')).toBeUndefined();

    const own = { hardwareConcurrency: 3 };
    const restoreOwn = raiseBrowserThreadCap(4, own);
    expect(own.hardwareConcurrency).toBe(8);
    restoreOwn();
    expect(own.hardwareConcurrency).toBe(3);
  });

  it('does nothing for one thread, without a navigator, or when the cap is already high enough', () => {
    const nav = { hardwareConcurrency: 16 };
    raiseBrowserThreadCap(4, nav)();
    expect(nav.hardwareConcurrency).toBe(16);
    expect(raiseBrowserThreadCap(1, nav)).toBeTypeOf('function');
    expect(nav.hardwareConcurrency).toBe(16);
    expect(() => raiseBrowserThreadCap(2, undefined)()).not.toThrow();
  });
});

describe('hasGpuDeviceNode', () => {
  it('is the real probe: true off Linux, else whether /dev/nvidia0 or a /dev/dri render node exists', async () => {
    const real = await vi.importActual<typeof import('../src/webgpu/gpu-device-node')>('../src/webgpu/gpu-device-node');
    const dri = existsSync('/dev/dri') && readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
    expect(real.hasGpuDeviceNode()).toBe(process.platform !== 'linux' || existsSync('/dev/nvidia0') || dri);
  });
});
