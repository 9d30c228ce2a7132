import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createInitialModel,
  createNewModel,
  createResNet,
  exportTorchStateDict,
  loadTorchStateDict,
  readSafetensors,
  safetensorsToFloat32,
  writeSafetensors,
} from '../src/index';
import { relError, useCpu } from './helpers/backend';

// Debian's python with python3-torch; the `python3` on PATH may be another interpreter without torch.
// REGSTUDY_TORCH_PYTHON overrides it (e.g. a venv with torch, or a bogus path to exercise the skip).
const PYTHON = process.env.REGSTUDY_TORCH_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./torch/reference.py', import.meta.url));

const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8' });
const hasTorch = probe.status === 0;
const torchVersion = hasTorch ? probe.stdout.trim() : '';
if (!hasTorch) {
  const why = probe.error ? probe.error.message : (probe.stderr ?? '').trim().split('\n').at(-1);
  console.warn(`[architectures] PyTorch parity tests skipped: ${PYTHON} cannot import torch and numpy (${why}). Install Debian's python3-torch (apt-get install -y python3-torch) to run them.`);
}

/** Each case: a factory matching the PyTorch model in reference.py. */
const CASES: [string, () => LayersModel][] = [
  ['initial', () => createInitialModel()],
  ['new', () => createNewModel()],
  ['new-notebook', () => createNewModel({ variant: 'notebook' })],
  ['resnet18', () => createResNet({ depth: 18 })],
  // 32x32 input keeps the cifar stem's forward pass short on the cpu backend
  ['resnet18-cifar', () => createResNet({ depth: 18, stem: 'cifar', inputShape: [32, 32, 3] })],
  ['resnet34', () => createResNet({ depth: 34 })],
];
const REVERSE = ['initial', 'new', 'resnet18'];

let dir = '';

function python(args: string[]): void {
  const r = spawnSync(PYTHON, [SCRIPT, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`reference.py ${args.join(' ')} failed (${r.status}): ${r.stderr || r.error?.message}`);
}

function readTensor(path: string, name: string): { shape: number[]; data: Float32Array } {
  const entry = readSafetensors(new Uint8Array(readFileSync(path))).tensors.get(name);
  if (!entry) throw new Error(`${path} has no tensor "${name}"`);
  return { shape: entry.shape, data: safetensorsToFloat32(entry) };
}

/** Runs NCHW `input` through `model` (transposed to NHWC) and returns the logits. */
function forwardNchw(model: LayersModel, input: { shape: number[]; data: Float32Array }): Float32Array {
  return tf.tidy(() => {
    const x = tf.transpose(tf.tensor(input.data, input.shape), [0, 2, 3, 1]);
    return (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
  });
}

// Without torch every parity case below is `skipIf(!hasTorch)`: the suite's title and the warning
// printed at import say why; no placeholder test stands in for them.
describe(`PyTorch parity${hasTorch ? ` (torch ${torchVersion})` : ` (skipped: ${PYTHON} cannot import torch and numpy)`}`, () => {
  beforeAll(async () => {
    await useCpu();
    if (!hasTorch) return;
    dir = mkdtempSync(join(tmpdir(), 'regstudy-arch-torch-'));
    python(['make', dir]);
  }, 180_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!hasTorch).each(CASES)('%s: PyTorch state dict loaded into tfjs gives the same logits (rel. error <= 1e-4)', (name, build) => {
    const before = tf.memory().numTensors;
    const model = build();
    loadTorchStateDict(model, new Uint8Array(readFileSync(join(dir, `${name}.weights.safetensors`))));
    const io = join(dir, `${name}.io.safetensors`);
    const expected = readTensor(io, 'logits');
    const got = forwardNchw(model, readTensor(io, 'input'));
    expect(got.length).toBe(expected.data.length);
    const err = relError(got, expected.data);
    console.log(`[architectures] torch parity ${name}: rel. error ${err.toExponential(2)}`);
    expect(err).toBeLessThanOrEqual(1e-4);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  describe('tfjs -> PyTorch', () => {
    const ours = new Map<string, Float32Array>();
    beforeAll(() => {
      if (!hasTorch) return;
      for (const name of REVERSE) {
        const model = CASES.find(([n]) => n === name)![1]();
        // non-trivial batch-norm statistics, so that running_mean/var are checked in this direction too
        for (const layer of model.layers) {
          if (layer.getClassName() !== 'BatchNormalization') continue;
          const values = layer.getWeights().map((t, i) =>
            tf.tidy(() => (i === 3 ? tf.randomUniform(t.shape, 0.5, 1.5, 'float32', 5) : tf.add(tf.randomUniform(t.shape, -0.2, 0.2, 'float32', 6), i === 0 ? 1 : 0))),
          );
          layer.setWeights(values);
          tf.dispose(values);
        }
        writeFileSync(join(dir, `${name}.tfjs.safetensors`), exportTorchStateDict(model));
        ours.set(name, forwardNchw(model, readTensor(join(dir, `${name}.io.safetensors`), 'input')));
        model.dispose();
      }
      python(['run', dir, ...REVERSE]); // one interpreter start for all cases
    }, 180_000);

    it.skipIf(!hasTorch).each(REVERSE)('%s: a tfjs export loads into PyTorch (strict) and gives the same logits', (name) => {
      const theirs = readTensor(join(dir, `${name}.tfjs-logits.safetensors`), 'logits').data;
      expect(relError(ours.get(name)!, theirs)).toBeLessThanOrEqual(1e-4);
    });
  });

  it('the input writer used by the python script agrees with ours (format sanity, no torch needed)', () => {
    const bytes = writeSafetensors({ input: { shape: [1], data: new Float32Array([0.5]) } });
    expect(readSafetensors(bytes).tensors.get('input')?.shape).toEqual([1]);
  });
});
