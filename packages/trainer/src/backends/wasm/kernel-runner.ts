import type {
  KernelBackend,
  KernelFunc,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';

/**
 * Runs other kernels of the same backend from inside a composite kernel, and disposes the
 * intermediate results it produced.
 *
 * Kernels are looked up in `kernels` (the wasm backend's own kernel functions, captured when
 * {@link registerWasmTrainingKernels} ran), so a composite kernel never calls itself through the
 * registry it replaced.
 */
export class KernelRunner {
  private readonly temporaries: TensorInfo[] = [];

  constructor(
    readonly backend: KernelBackend,
    private readonly kernels: ReadonlyMap<string, KernelFunc>,
  ) {}

  /** Runs kernel `name`; the result is disposed by {@link dispose} unless {@link keep} is called on it. */
  run(name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const kernelFunc = this.kernels.get(name);
    if (kernelFunc === undefined) {
      throw new Error(`registerWasmTrainingKernels: wasm kernel '${name}' is not registered`);
    }
    const out = kernelFunc({ inputs, attrs, backend: this.backend });
    if (Array.isArray(out)) {
      throw new Error(`registerWasmTrainingKernels: kernel '${name}' returned several outputs`);
    }
    this.temporaries.push(out);
    return out;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  /** `a @ b` for rank-3 `[1, m, k] x [1, k, n]`, the only shape on XNNPACK's fast path. */
  matMul(a: TensorInfo, b: TensorInfo): TensorInfo {
    return this.run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
  }

  /** A float32 tensor holding `values` (a temporary, like every result). */
  constant(values: Float32Array, shape: number[]): TensorInfo {
    const dataId = this.backend.write(values, shape, 'float32');
    const t: TensorInfo = { dataId, shape, dtype: 'float32' };
    this.temporaries.push(t);
    return t;
  }

  /** Removes `x` from the temporaries so that it survives {@link dispose} (the kernel's output). */
  keep(x: TensorInfo): TensorInfo {
    const i = this.temporaries.indexOf(x);
    if (i >= 0) this.temporaries.splice(i, 1);
    return x;
  }

  /** Releases every temporary this runner created (reference-counted: reshapes share data). */
  dispose(): void {
    for (const t of this.temporaries) this.backend.disposeData(t.dataId);
    this.temporaries.length = 0;
  }
}
