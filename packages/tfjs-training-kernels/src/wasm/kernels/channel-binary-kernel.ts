import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { narrowChannelBroadcast, wideChannelBinary } from '../ops/channel-broadcast';
import { channelBinary, rowBroadcastBinary } from '../ops/channel-ops';
import { stockKernel, withRunner } from './stock-kernels';

/** The kernel function shared by `Add`, `Sub` and `Multiply` (see `Add.ts`). */
export function channelBinaryKernel(name: 'Add' | 'Sub' | 'Multiply'): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    if (narrowChannelBroadcast(a, b) === null) {
      return channelBinary(args.backend, name, a, b) ?? rowBroadcastBinary(args.backend, name, a, b) ?? stockKernel(name)(args);
    }
    return withRunner(args.backend, (r) => wideChannelBinary(r, name, a, b)) ?? stockKernel(name)(args);
  };
}
