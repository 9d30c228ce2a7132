import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../src/wasm/register-training-kernels';
import { setUpCpuAndWasm } from './helpers/backends';

// The layout of tfjs-backend-wasm: one file per registered kernel, named for the kernel and ending
// in its KernelConfig; registerWasmTrainingKernels registers exactly those files' configs.
const kernelsDir = join(__dirname, '..', 'src', 'wasm', 'kernels');
/** Kernel files are named for the kernel (`Conv2D.ts`, `_FusedMatMul.ts`); lower-case files are their shared helpers. */
const kernelFiles = readdirSync(kernelsDir)
  .filter((f) => /^[A-Z_][A-Za-z0-9_]*\.ts$/.test(f))
  .map((f) => f.slice(0, -3));

beforeAll(setUpCpuAndWasm);

describe('src/wasm/kernels/', () => {
  it('has one file per kernel, each exporting one wasm KernelConfig for the kernel it is named for', async () => {
    expect(kernelFiles.length).toBeGreaterThanOrEqual(20);
    for (const name of kernelFiles) {
      const mod = (await import(join(kernelsDir, `${name}.ts`))) as Record<string, KernelConfig>;
      const configs = Object.values(mod);
      expect(configs, name).toHaveLength(1);
      expect(configs[0]!.kernelName, name).toBe(name);
      expect(configs[0]!.backendName, name).toBe('wasm');
      expect(typeof configs[0]!.kernelFunc, name).toBe('function');
    }
  });

  it('each file ends in its KernelConfig', () => {
    for (const name of kernelFiles) {
      const source = readFileSync(join(kernelsDir, `${name}.ts`), 'utf8').trimEnd();
      const last = source.slice(source.lastIndexOf('\nexport const '));
      expect(last, name).toMatch(/^\nexport const \w+: KernelConfig = \{[^]*\n\};$/);
    }
  });

  it('registerWasmTrainingKernels registers exactly the kernels of these files', () => {
    const info = registerWasmTrainingKernels();
    expect([...info.added, ...info.replaced].sort()).toEqual([...kernelFiles].sort());
  });
});
