import * as tf from '@tensorflow/tfjs-core';
import { regularizers, type LayersModel } from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createInitialModel,
  createModel,
  createNewModel,
  createResNet,
  describeModel,
  isModelName,
  modelNames,
  type ModelName,
} from '../src/index';
import { useCpu } from './helpers/backend';

beforeAll(useCpu);

/** Builds, checks, disposes; asserts the model releases every tensor it created. */
function withModel<T>(build: () => LayersModel, check: (m: LayersModel) => T): T {
  const before = tf.memory().numTensors;
  const m = build();
  try {
    return check(m);
  } finally {
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }
}

/** Bitwise equality of two float arrays (fast; vitest's deep equality is slow on millions of values). */
const same = (a: Float32Array | undefined, b: Float32Array | undefined): boolean =>
  !!a && !!b && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

const weightsOf = (m: LayersModel): Float32Array[] => m.weights.map((w) => w.read().dataSync<'float32'>() as Float32Array);

describe('parameter counts (PyTorch counts, 64x64x3 inputs, 200 classes)', () => {
  const cases: [ModelName, number, number][] = [
    ['initial', 10_644_300, 0],
    ['new', 2_128_730, 0],
    ['resnet18', 11_279_112, 9_600],
    ['resnet34', 21_387_272, 17_024],
  ];
  it.each(cases)('%s: %d trainable, %d non-trainable', (name, trainable, nonTrainable) => {
    withModel(
      () => createModel(name),
      (m) => {
        const d = describeModel(m);
        expect(d.name).toBe(name);
        expect(d.trainableParams).toBe(trainable);
        expect(d.nonTrainableParams).toBe(nonTrainable);
        expect(d.layers.reduce((n, l) => n + l.params, 0)).toBe(trainable + nonTrainable);
      },
    );
  });

  it('hand count of the Initial Model matches the formula 280 + 1820 + 5120*2000+2000 + 2000*200+200', () => {
    expect(3 * 9 * 10 + 10 + (10 * 9 * 20 + 20) + (5120 * 2000 + 2000) + (2000 * 200 + 200)).toBe(10_644_300);
  });

  it('ResNet-18 with the cifar stem has 64*3*(9-49) fewer weights and numClasses changes fc', () => {
    withModel(
      () => createResNet({ stem: 'cifar', numClasses: 10 }),
      (m) => expect(describeModel(m).trainableParams).toBe(11_279_112 - 64 * 3 * 40 - 190 * 513),
    );
  });
});

describe('layers and shapes', () => {
  it('Initial Model layers, output shapes and PyTorch-like names', () => {
    withModel(
      () => createInitialModel(),
      (m) => {
        const d = describeModel(m);
        const byName = Object.fromEntries(d.layers.map((l) => [l.name, l]));
        expect(byName.pool2?.outputShape).toEqual([null, 16, 16, 20]);
        expect(byName.flatten?.outputShape).toEqual([null, 5120]);
        expect(byName.fc1?.outputShape).toEqual([null, 2000]);
        expect(byName.fc2?.outputShape).toEqual([null, 200]);
        expect(byName.conv1?.className).toBe('Conv2D');
      },
    );
  });

  it('New Model: paper variant pools avg/max/max, notebook variant avg/avg/avg with leaky ReLU', () => {
    withModel(
      () => createNewModel(),
      (m) => {
        const cls = m.layers.map((l) => `${l.name}:${l.getClassName()}`);
        expect(cls).toContain('pool1:AveragePooling2D');
        expect(cls).toContain('pool2:MaxPooling2D');
        expect(cls).toContain('pool3:MaxPooling2D');
        expect(cls).toContain('dropout:Dropout');
        expect(describeModel(m).layers.find((l) => l.name === 'flatten')?.outputShape).toEqual([null, 1920]);
      },
    );
    withModel(
      () => createNewModel({ variant: 'notebook' }),
      (m) => {
        const cls = m.layers.map((l) => `${l.name}:${l.getClassName()}`);
        expect(cls).toContain('pool2:AveragePooling2D');
        expect(cls).toContain('fc2_act:LeakyReLU');
        expect(describeModel(m).trainableParams).toBe(2_128_730);
      },
    );
  });

  it('ResNet-18 imagenet stem: 16x16 before layer1, 2x2 before pooling; cifar stem: 64x64 and 8x8', () => {
    withModel(
      () => createResNet(),
      (m) => {
        const shapes = Object.fromEntries(describeModel(m).layers.map((l) => [l.name, l.outputShape]));
        expect(shapes.conv1).toEqual([null, 32, 32, 64]);
        expect(shapes.maxpool).toEqual([null, 16, 16, 64]);
        expect(shapes.layer4_1_relu2).toEqual([null, 2, 2, 512]);
        expect(shapes.fc).toEqual([null, 200]);
        expect(Object.keys(shapes)).toContain('layer2_0_downsample_0');
        expect(Object.keys(shapes)).not.toContain('layer1_0_downsample_0');
      },
    );
    withModel(
      () => createResNet({ stem: 'cifar' }),
      (m) => {
        const shapes = Object.fromEntries(describeModel(m).layers.map((l) => [l.name, l.outputShape]));
        expect(shapes.layer1_1_relu2).toEqual([null, 64, 64, 64]);
        expect(shapes.layer4_1_relu2).toEqual([null, 8, 8, 512]);
        expect(Object.keys(shapes)).not.toContain('maxpool');
      },
    );
  });

  it('forward passes are finite with the right output shape, logits by default, softmax on request', () => {
    const x = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 7);
    for (const name of ['initial', 'new', 'resnet18'] as const) {
      withModel(
        () => createModel(name, { numClasses: 7 }),
        (m) => {
          const y = m.predict(x) as tf.Tensor;
          expect(y.shape).toEqual([2, 7]);
          const v = y.dataSync<'float32'>();
          expect(v.every(Number.isFinite)).toBe(true);
          // logits: rows do not sum to 1
          expect(Math.abs(v.slice(0, 7).reduce((a, b) => a + b, 0) - 1)).toBeGreaterThan(1e-3);
          y.dispose();
        },
      );
    }
    withModel(
      () => createNewModel({ softmax: true, numClasses: 7 }),
      (m) => {
        const y = m.predict(x) as tf.Tensor;
        const v = y.dataSync<'float32'>();
        expect(v.slice(0, 7).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        expect(m.layers.at(-1)?.name).toBe('softmax');
        y.dispose();
      },
    );
    x.dispose();
  });
});

describe('deterministic initialisation', () => {
  it('same seed gives identical weights, different seeds different weights', () => {
    const a = withModel(() => createNewModel({ seed: 3 }), weightsOf);
    const b = withModel(() => createNewModel({ seed: 3 }), weightsOf);
    const c = withModel(() => createNewModel({ seed: 4 }), weightsOf);
    expect(a).toHaveLength(10);
    a.forEach((w, i) => {
      expect(same(w, b[i])).toBe(true);
      expect(same(w, c[i])).toBe(false);
    });
    // distinct layers draw from distinct streams
    expect(Array.from(a[0]!.slice(0, 10))).not.toEqual(Array.from(a[2]!.slice(0, 10)));
  });

  it('ResNet-18: same seed gives identical weights, different seed differs', () => {
    const a = withModel(() => createResNet({ seed: 1, stem: 'cifar' }), (m) => weightsOf(m).slice(0, 20));
    const b = withModel(() => createResNet({ seed: 1, stem: 'cifar' }), (m) => weightsOf(m).slice(0, 20));
    const c = withModel(() => createResNet({ seed: 2, stem: 'cifar' }), (m) => weightsOf(m).slice(0, 20));
    expect(a).toHaveLength(20);
    a.forEach((w, i) => expect(same(w, b[i])).toBe(true));
    expect(same(a[0], c[0])).toBe(false);
    expect(same(a[19], c[19])).toBe(false);
  });

  it('follows PyTorch defaults: U(+-1/sqrt(fan_in)) for conv/linear, N(0, 2/fan_out) for ResNet convs, BN 1/0', () => {
    withModel(
      () => createInitialModel({ seed: 5 }),
      (m) => {
        const check = (name: string, fanIn: number): void => {
          for (const v of m.getLayer(name).getWeights()) {
            const d = v.dataSync<'float32'>();
            const bound = 1 / Math.sqrt(fanIn);
            const max = d.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
            expect(max).toBeLessThanOrEqual(bound);
            if (d.length > 1000) {
              expect(max).toBeGreaterThan(0.99 * bound);
              const variance = d.reduce((a, b) => a + b * b, 0) / d.length;
              // var of U(-b,b) = b^2/3; relative s.e. of the estimate is sqrt(0.8 / n)
              expect(Math.abs(variance / ((bound * bound) / 3) - 1)).toBeLessThan(5 * Math.sqrt(0.8 / d.length));
            }
          }
        };
        check('conv1', 27);
        check('conv2', 90);
        check('fc1', 5120);
        check('fc2', 2000);
      },
    );
    withModel(
      () => createResNet({ seed: 5, zeroInitResidual: true }),
      (m) => {
        const k = m.getLayer('layer4_1_conv2').getWeights()[0]!.dataSync<'float32'>();
        const std = Math.sqrt(k.reduce((a, b) => a + b * b, 0) / k.length);
        expect(std / Math.sqrt(2 / (512 * 9))).toBeCloseTo(1, 2);
        const [gamma, beta, mean, variance] = m.getLayer('bn1').getWeights().map((t) => Array.from(t.dataSync<'float32'>()));
        expect(new Set(gamma)).toEqual(new Set([1]));
        expect(new Set(beta)).toEqual(new Set([0]));
        expect(new Set(mean)).toEqual(new Set([0]));
        expect(new Set(variance)).toEqual(new Set([1]));
        expect(new Set(m.getLayer('layer1_0_bn2').getWeights()[0]!.dataSync<'float32'>())).toEqual(new Set([0]));
        expect(new Set(m.getLayer('layer1_0_bn1').getWeights()[0]!.dataSync<'float32'>())).toEqual(new Set([1]));
        const fc = m.getLayer('fc').getWeights()[0]!.dataSync<'float32'>();
        expect(fc.reduce((a, b) => Math.max(a, Math.abs(b)), 0)).toBeLessThanOrEqual(1 / Math.sqrt(512));
      },
    );
  });
});

describe('regularizers', () => {
  // tfjs keeps regularizer losses on the layers: model.calculateLosses() (what fit() adds to the loss)
  // collects them; the container's own model.losses list stays empty.
  const layerLosses = (m: LayersModel): number => m.layers.reduce((n, l) => n + l.losses.length, 0);

  it('kernel and bias regularizers appear in the layer losses and model.calculateLosses() with the right value', () => {
    withModel(
      () =>
        createInitialModel({
          kernelRegularizer: regularizers.l1l2({ l1: 0.01, l2: 0 }),
          biasRegularizer: regularizers.l1l2({ l1: 0, l2: 0.1 }),
        }),
      (m) => {
        expect(layerLosses(m)).toBe(8);
        let expected = 0;
        for (const name of ['conv1', 'conv2', 'fc1', 'fc2']) {
          const [k, b] = m.getLayer(name).getWeights();
          expected += 0.01 * k!.dataSync<'float32'>().reduce((a, v) => a + Math.abs(v), 0);
          expected += 0.1 * b!.dataSync<'float32'>().reduce((a, v) => a + v * v, 0);
        }
        const total = tf.tidy(() => tf.addN(m.calculateLosses()).dataSync<'float32'>()[0]!);
        expect(total / expected).toBeCloseTo(1, 4);
      },
    );
  });

  it('ResNet: kernel regularizers on convs and fc, batch-norm regularizer on gamma and beta', () => {
    withModel(
      () => createResNet({ kernelRegularizer: regularizers.l1l2({ l2: 1e-4 }), batchNormRegularizer: regularizers.l1l2({ l1: 1e-4 }) }),
      (m) => {
        const convs = m.layers.filter((l) => l.getClassName() === 'Conv2D').length;
        const bns = m.layers.filter((l) => l.getClassName() === 'BatchNormalization').length;
        expect(convs).toBe(20);
        expect(bns).toBe(20);
        expect(layerLosses(m)).toBe(convs + 1 + 2 * bns);
        const losses = m.calculateLosses();
        expect(losses).toHaveLength(convs + 1 + 2 * bns);
        tf.dispose(losses);
      },
    );
  });

  it('no regularizer -> no losses', () => {
    withModel(() => createNewModel(), (m) => expect(layerLosses(m)).toBe(0));
  });
});

describe('registry and option validation', () => {
  it('modelNames and isModelName', () => {
    expect(modelNames).toEqual(['initial', 'new', 'resnet18', 'resnet34']);
    expect(isModelName('resnet34')).toBe(true);
    expect(isModelName('vgg16')).toBe(false);
  });

  it('unknown names list the valid ones', () => {
    expect(() => createModel('vgg16' as ModelName)).toThrow(`createModel(): option 'name': expected one of initial, new, resnet18, resnet34, got "vgg16"`);
  });

  it('bad options name the option', () => {
    expect(() => createInitialModel({ numClasses: 0 })).toThrow("createInitialModel(): option 'numClasses': expected an integer > 0, got 0");
    expect(() => createNewModel({ dropout: 1 })).toThrow("createNewModel(): option 'dropout': expected a number in [0, 1), got 1");
    expect(() => createResNet({ depth: 50 as 18 })).toThrow("createResNet(): option 'depth': expected one of 18, 34, got 50");
    expect(() => createResNet({ stem: 'tiny' as 'cifar' })).toThrow(`createResNet(): option 'stem': expected one of "imagenet", "cifar", got "tiny"`);
    expect(() => createInitialModel({ inputShape: [64, 64] as unknown as [number, number, number] })).toThrow("createInitialModel(): option 'inputShape': expected an array of exactly 3 items, got [64, 64]");
    expect(() => createInitialModel({ kernelRegularizer: 0.1 as never })).toThrow("createInitialModel(): option 'kernelRegularizer': expected a tfjs-layers Regularizer (an object with an apply(x) method), got 0.1");
    expect(() => createInitialModel({ stem: 'cifar' } as never)).toThrow(/^createInitialModel\(\): option 'stem': unknown option \(known: numClasses, inputShape, /);
    expect(() => createInitialModel({ inputShape: [3, 3, 3] })).toThrow("createInitialModel(): option 'inputShape': expected height and width >= 4 (two 2x2 pools), got [3, 3, 3]");
    expect(() => createNewModel({ inputShape: [64, 7, 3] })).toThrow("createNewModel(): option 'inputShape': expected height and width >= 8 (three 2x2 pools), got [64, 7, 3]");
    expect(() => createModel('resnet18', { depth: 34 } as never)).toThrow(`createModel(): option 'depth': is fixed by the name "resnet18" (use createResNet to set it), got 34`);
    expect(tf.memory().numTensors).toBe(0);
  });

  it('afterAll leaves no tensors', () => {
    expect(tf.memory().numTensors).toBe(0);
  });
});

afterAll(() => {
  expect(tf.memory().numTensors).toBe(0);
});
