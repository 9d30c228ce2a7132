// tfjs-core's own kernel specs (the ones every tfjs backend runs through `setTestEnvs` and
// `describeWithFlags`) on the wasm backend as `useBackend('wasm')` sets it up: our training kernels
// registered and our GEMM installed. Only the spec files of the kernels we add or replace.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
// tfjs-core's ESM entry does not add the chained ops (`x.sum()`) the specs use; its CJS bundle does.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../src/use-backend';
import { installOwnGemmOnWasmBackend } from '../src/wasm/runtime/install-own-gemm';
import { createNodeThreadedGemm } from '../src/wasm/runtime/node-gemm-threads';
import { ownGemm } from '../src/wasm/ops/own-gemm-matmul';
import { ThreadedWasmGemm } from '../src/wasm/runtime/threaded-gemm';
import { runJasmineSpecs } from './helpers/jasmine-specs';

const THREADS = 2;

/** `@tensorflow/tfjs-core/dist/<file>`: the kernels we register or replace (and their gradients). */
const SPEC_FILES = [
  'ops/conv2d_test.js', // Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput (gradients)
  'ops/conv2d_transpose_test.js', // Conv2DBackpropInput
  'ops/fused/fused_conv2d_test.js', // FusedConv2D and its gradients
  'ops/max_pool_test.js', // MaxPool, MaxPoolGrad
  'ops/avg_pool_test.js', // AvgPool, AvgPoolGrad
  'ops/mat_mul_test.js', // BatchMatMul
  'ops/fused/fused_mat_mul_test.js', // _FusedMatMul
  'ops/batchnorm_test.js', // FusedBatchNorm and its gradient
  'ops/relu_test.js', // Relu and its gradient
  'ops/add_test.js', // Add with broadcast
  'ops/sub_test.js', // Sub with broadcast
  'ops/arithmetic_test.js', // Multiply with broadcast (and Div, Pow, ... on the stock kernels)
  'ops/square_test.js',
  'ops/floor_test.js',
  'ops/sum_test.js',
  'ops/mean_test.js', // Mean and its gradient
  'ops/tile_test.js',
  'ops/slice_test.js',
];

const ENV = 'wasm-training {}'; // describeWithFlags puts the test env's name and flags after the suite's name

/**
 * Specs left out, each with the reason: all fail on the stock tfjs-backend-wasm 4.22 as well
 * (checked by running this list of files without our kernels), on inputs our kernels hand to the
 * stock kernel unchanged because training NHWC float32 convnets never produces them. `pattern`
 * is tested against the spec's full name, `is` is the whole of it.
 */
type Exclusion = ({ pattern: RegExp } | { is: string }) & { reason: string };
const EXCLUDED: Exclusion[] = [
  { pattern: /^conv2d wasm-training \{\} (gradient )?x=.* NCHW$/, reason: "NCHW: tfjs-backend-wasm's convolutions are NHWC only (it throws naming dataFormat); so are ours" },
  { pattern: /^fused conv2d wasm-training \{\} (basic|im2row|batch) in NCHW/, reason: 'NCHW FusedConv2D (see above)' },
  { pattern: /complex number/, reason: "tfjs-backend-wasm registers no 'Complex' kernel" },
  { is: `add ${ENV} upcasts when dtypes dont match`, reason: "its complex64 case needs the 'Complex' kernel wasm lacks" },
  { is: `sub ${ENV} upcasts when dtypes dont match`, reason: "its complex64 case needs the 'Complex' kernel wasm lacks" },
  { is: `matmul ${ENV} upcasts when dtypes dont match`, reason: 'int32 BatchMatMul: ours and the stock kernel take float32 only' },
  { is: `fused conv2d ${ENV} basic with broadcasted bias and relu`, reason: "a scalar FusedConv2D bias: wasm's kernel takes a per-channel (rank-1) bias, as layers pass it" },
  { is: `fused conv2d ${ENV} im2row with broadcasted bias and relu`, reason: 'a scalar FusedConv2D bias (see above)' },
  { is: `fused conv2d ${ENV} gradient x=[2,3,3,1] f=[2,2,1,1] s=1 p=0 with bias`, reason: 'a rank-4 FusedConv2D bias (see above)' },
  { is: `tile ${ENV} 1d string tensor`, reason: 'string Tile: the stock wasm kernel aborts on strings; ours hands non-float32 Tile to it' },
  { is: `tile ${ENV} 2d string tensor`, reason: 'string Tile (see above)' },
  { is: `tile ${ENV} 6D string tensor`, reason: 'string Tile (see above)' },
];

const matches = (e: Exclusion, name: string) => ('is' in e ? name === e.is : e.pattern.test(name));
const isExcluded = (name: string) => EXCLUDED.some((e) => matches(e, name));

describe('tfjs-core kernel specs on wasm with our training kernels', () => {
  it(`pass (${SPEC_FILES.length} spec files)`, async () => {
    const selection = await useBackend('wasm', { threads: THREADS });
    expect(selection.reason).toMatch(/with training kernels.*own SIMD128 GEMM/);
    const jasmineUtil = await import('@tensorflow/tfjs-core/dist/jasmine_util');
    jasmineUtil.setTestEnvs([{ name: 'wasm-training', backendName: 'wasm', isDataSync: true, flags: {} }]);
    const run = await runJasmineSpecs({
      load: async () => {
        for (const file of SPEC_FILES) await import(`../node_modules/@tensorflow/tfjs-core/dist/${file}`);
      },
      include: (name) => !isExcluded(name),
      // Each describeWithFlags block resets the engine, so the wasm backend is a new instance: give
      // it our GEMM as useBackend did (stopping the previous instance's worker threads).
      beforeEach: async () => {
        const backend = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry.wasm;
        if (backend === undefined) return;
        const old = ownGemm();
        const why = await installOwnGemmOnWasmBackend(THREADS, createNodeThreadedGemm);
        if (/not installed/.test(why)) throw new Error(why);
        if (old !== ownGemm() && old instanceof ThreadedWasmGemm) await old.dispose();
      },
    });
    const failed = run.specs.filter((s) => s.status === 'failed').map((s) => `${s.fullName}: ${s.failures.join(' | ')}`);
    const passed = run.specs.filter((s) => s.status === 'passed').length;
    const excluded = run.specs.filter((s) => s.status === 'excluded').length;
    console.info(`[tfjs-core suite] ${run.specs.length} specs: ${passed} passed, ${failed.length} failed, ${excluded} excluded`);
    expect(run.suiteErrors).toEqual([]);
    expect(failed).toEqual([]);
    expect(passed).toBeGreaterThan(500);
    // Every exclusion still names a spec (a renamed spec would otherwise run unnoticed... or not at all).
    const unused = EXCLUDED.filter((e) => !run.specs.some((sp) => sp.status === 'excluded' && matches(e, sp.fullName)));
    expect(unused).toEqual([]);
    await tf.setBackend('cpu');
  }, 600_000);

  // Found by the spec above: conv2dTranspose's 'input=8x8x8,output=4x4x8' case passes a dy that is
  // not the forward output's shape; our input gradient now hands it to the stock kernel, and our
  // filter gradient (there is no stock one) refuses it instead of reading the wrong elements.
  it('Conv2DBackpropFilter refuses a dy that is not the forward output shape, naming both shapes', async () => {
    await useBackend('wasm', { threads: THREADS });
    const x = tf.ones([1, 4, 4, 2]);
    const dy = tf.ones([1, 8, 8, 3]);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 2, 3] };
    const good = tf.ones([1, 4, 4, 3]);
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: good }, attrs) as tf.Tensor;
    expect(dw.shape).toEqual([3, 3, 2, 3]);
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs)).toThrow(
      /Conv2DBackpropFilter \(wasm training kernels\): dy has shape \[1, 8, 8, 3\], but the convolution of x \[1, 4, 4, 2\] with filter \[3, 3, 2, 3\] gives \[1, 4, 4, 3\]/,
    );
    tf.dispose([good, dw]);
    tf.dispose([x, dy]);
    await tf.setBackend('cpu');
  });
});
