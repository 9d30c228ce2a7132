import { Tile, type KernelConfig, type TensorInfo, type TileAttrs } from '@tensorflow/tfjs-core';
import { asWasmHeapBackend } from '../ops/max-pool-grad';
import { broadcastTile, leadingRepeatTile } from '../ops/tile';
import { BACKEND, stockKernel, withRunner } from './stock-kernels';

/**
 * `Tile`: when it only repeats leading axes of size 1, a block copy with doubling `copyWithin`s;
 * when it otherwise only broadcasts, a broadcasting add (`ops/tile.ts`); else the stock kernel.
 */
export const tileConfig: KernelConfig = {
  kernelName: Tile,
  backendName: BACKEND,
  kernelFunc: (args) => {
    const heap = asWasmHeapBackend(args.backend);
    const x = args.inputs.x as TensorInfo;
    const attrs = args.attrs as unknown as TileAttrs;
    return (heap && leadingRepeatTile(heap, x, attrs)) ?? withRunner(args.backend, (r) => broadcastTile(r, x, attrs)) ?? stockKernel('Tile')(args);
  },
};
