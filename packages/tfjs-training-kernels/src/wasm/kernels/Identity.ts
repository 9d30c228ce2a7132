import { Identity, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { asRefCountingBackend, identity } from '../ops/identity';
import { BACKEND, stockKernel } from './stock-kernels';

/** `Identity` (stock: a copy): a reference-counted share of the input's buffer (`ops/identity.ts`). */
export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: BACKEND,
  kernelFunc: (args) => {
    const rc = asRefCountingBackend(args.backend);
    return (rc && identity(rc, args.inputs.x as TensorInfo)) ?? stockKernel('Identity')(args);
  },
};
