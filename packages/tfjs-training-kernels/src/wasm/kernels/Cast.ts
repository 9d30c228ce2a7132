import { Cast, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { asRefCountingBackend, castToSameType } from '../ops/identity';
import { BACKEND, stockKernel } from './stock-kernels';

/** `Cast` to the same dtype (stock: a copy): a reference-counted share of the input's buffer (`ops/identity.ts`). */
export const castConfig: KernelConfig = {
  kernelName: Cast,
  backendName: BACKEND,
  kernelFunc: (args) => {
    const rc = asRefCountingBackend(args.backend);
    const dtype = (args.attrs as { dtype: string }).dtype;
    return (rc && castToSameType(rc, args.inputs.x as TensorInfo, dtype)) ?? stockKernel('Cast')(args);
  },
};
