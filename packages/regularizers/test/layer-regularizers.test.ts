import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ElasticNetRegularizer,
  L1Regularizer,
  L2Regularizer,
  elasticNet,
  l1,
  l2,
  registerRegularizers,
  resolveElasticNet,
} from '../src/index';
import { expectNoLeak, take, takeArray, useCpu } from './helpers';

beforeAll(useCpu);

const builtinBase = Object.getPrototypeOf(tfl.regularizers.l1l2().constructor) as abstract new () => unknown;

function regModel() {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 3, inputShape: [4], kernelRegularizer: l1(0.01), biasRegularizer: l2(0.5), biasInitializer: 'randomNormal' }),
      tfl.layers.dense({ units: 2, kernelRegularizer: elasticNet({ alpha: 0.02, l1Ratio: 0.25 }) }),
    ],
  });
  return model;
}

function layerPenalties(model: tfl.LayersModel): number[] {
  return model.layers.flatMap((layer) => layer.calculateLosses()).map((t) => take(t));
}

describe('layer regularizers', () => {
  it('are tfjs-layers Regularizers with hand-checked values', () => {
    const x = tf.tensor2d([[-2, 0], [3, 0.5]]);
    expectNoLeak(() => {
      expect(l1(0.1)).toBeInstanceOf(builtinBase);
      expect(take(l1(0.1).apply(x))).toBeCloseTo(0.55, 6);
      expect(take(l2(0.1).apply(x))).toBeCloseTo(1.325, 6);
      expect(take(elasticNet({ l1: 0.1, l2: 0.1 }).apply(x))).toBeCloseTo(1.875, 6);
      expect(take(elasticNet({ l1: 0.1 }).apply(x))).toBeCloseTo(0.55, 6);
      expect(take(l1(0).apply(x))).toBe(0);
    });
    x.dispose();
  });

  it('have gradients lambda*sign(w) (0 at w=0) and 2*lambda*w', () => {
    const x = tf.tensor1d([-2, 0, 1e4]);
    expect(takeArray(tf.grad((v: tf.Tensor) => l1(0.5).apply(v))(x))).toEqual([-0.5, 0, 0.5]);
    expect(takeArray(tf.grad((v: tf.Tensor) => l2(0.5).apply(v))(x))).toEqual([-2, 0, 1e4]);
    expect(takeArray(tf.grad((v: tf.Tensor) => elasticNet({ l1: 1, l2: 1 }).apply(v))(x))).toEqual([-5, 0, 1 + 2e4]);
    x.dispose();
  });

  it('maps scikit-learn alpha/l1Ratio to l1 = alpha*r, l2 = alpha*(1-r)/2', () => {
    expect(resolveElasticNet({ alpha: 0.2, l1Ratio: 0.25 })).toEqual({ l1: 0.05, l2: 0.07500000000000001 });
    expect(resolveElasticNet({ alpha: 1, l1Ratio: 1 })).toEqual({ l1: 1, l2: 0 });
    expect(resolveElasticNet({ alpha: 1, l1Ratio: 0 })).toEqual({ l1: 0, l2: 0.5 });
    const r = elasticNet({ alpha: 0.2, l1Ratio: 0.25 });
    expect(r.getConfig()).toEqual({ l1: 0.05, l2: 0.07500000000000001 });
    expect(r.getClassName()).toBe('regstudy.ElasticNet');
  });

  it('reject bad options naming the option', () => {
    expect(() => l1(-1)).toThrow("l1(): option 'l1': expected a number >= 0, got -1");
    expect(() => l2(Number.NaN)).toThrow("l2(): option 'l2': expected a number >= 0, got NaN");
    expect(() => elasticNet({ alpha: 1, l1Ratio: 1.5 })).toThrow("elasticNet(): option 'l1Ratio': expected a number in [0, 1], got 1.5");
    expect(() => elasticNet({ alpha: -1, l1Ratio: 0.5 })).toThrow("option 'alpha': expected a number >= 0, got -1");
    expect(() => elasticNet({ alpha: 1 } as never)).toThrow("option 'l1Ratio': is required");
    expect(() => elasticNet({ l1: 1, alpha: 1, l1Ratio: 0.5 } as never)).toThrow("option 'l1': unknown option (known: alpha, l1Ratio)");
    expect(() => elasticNet({ l2: Infinity })).toThrow("option 'l2': expected a number >= 0, got Infinity");
    expect(() => elasticNet(0.1 as never)).toThrow('elasticNet(): options: expected an object, got 0.1');
  });

  it('are registered with tf.serialization on import (idempotently)', () => {
    registerRegularizers();
    const map = tf.serialization.SerializationMap.getMap().classNameMap;
    expect(map['regstudy.L1']?.[0]).toBe(L1Regularizer);
    expect(map['regstudy.L2']?.[0]).toBe(L2Regularizer);
    expect(map['regstudy.ElasticNet']?.[0]).toBe(ElasticNetRegularizer);
  });

  it('survive model.save + tf.loadLayersModel through memory handlers with identical penalties', async () => {
    const model = regModel();
    const before = layerPenalties(model);
    expect(before).toHaveLength(3);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    if (!saved) throw new Error('not saved');
    const json = JSON.stringify(saved.modelTopology);
    expect(json).toContain('"class_name":"regstudy.L1","config":{"l1":0.01}');
    expect(json).toContain('"class_name":"regstudy.L2","config":{"l2":0.5}');
    expect(json).toContain('"class_name":"regstudy.ElasticNet","config":{"l1":0.005,"l2":0.0075}');
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved));
    const after = layerPenalties(loaded);
    expect(after).toEqual(before);
    const kernelReg = (loaded.layers[0] as unknown as { kernelRegularizer: unknown }).kernelRegularizer;
    expect(kernelReg).toBeInstanceOf(L1Regularizer);
    model.dispose();
    loaded.dispose();
  });

  it('load in a fresh process that only imports the package (built dist)', async () => {
    const model = regModel();
    const before = layerPenalties(model);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    model.dispose();
    if (!saved?.weightData || saved.weightData instanceof Array) throw new Error('not saved');
    const payload = JSON.stringify({
      modelTopology: saved.modelTopology,
      weightSpecs: saved.weightSpecs,
      weightData: Buffer.from(saved.weightData).toString('base64'),
    });
    const script = `
      import * as tf from '@tensorflow/tfjs-core';
      import '@tensorflow/tfjs-backend-cpu';
      import * as tfl from '@tensorflow/tfjs-layers';
      import '@regstudy/regularizers';
      import { readFileSync } from 'node:fs';
      await tf.setBackend('cpu');
      const p = JSON.parse(readFileSync(0, 'utf8'));
      const buf = Buffer.from(p.weightData, 'base64');
      const data = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
      const m = await tfl.loadLayersModel(tf.io.fromMemory({ ...p, weightData: data }));
      const out = m.layers.flatMap((l) => l.calculateLosses()).map((t) => t.dataSync()[0]);
      process.stdout.write('RESULT ' + JSON.stringify(out) + '\\n');
    `;
    const run = (code: string) =>
      execFileSync(process.execPath, ['--input-type=module', '-e', code], {
        cwd: process.cwd(),
        input: payload,
        encoding: 'utf8',
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    // Control: without the import, tfjs-layers does not know the classes.
    expect(() => run(script.replace("import '@regstudy/regularizers';", ''))).toThrow(/regstudy\.L1/);
    const stdout = run(script);
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, stdout).toBeDefined();
    expect(JSON.parse((line as string).slice(7))).toEqual(before);
  });

  it('train with model.fit, the loss includes the penalty and nothing leaks', async () => {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ units: 1, inputShape: [2], useBias: false, kernelRegularizer: l1(1), kernelInitializer: 'zeros' })],
    });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const xs = tf.tensor2d([[1, 0], [0, 1]]);
    const ys = tf.tensor2d([[0], [0]]);
    const n = tf.memory().numTensors;
    const h = await model.fit(xs, ys, { epochs: 1, batchSize: 2, verbose: 0 });
    // w = 0: data loss 0, penalty 0; L1 subgradient 0 so the weights stay exactly 0
    expect(h.history['loss']?.[0]).toBe(0);
    expect(takeArray(model.getWeights()[0]!.clone())).toEqual([0, 0]);
    tf.tidy(() => model.setWeights([tf.tensor2d([[1], [-2]])]));
    const h2 = await model.fit(xs, ys, { epochs: 1, batchSize: 2, verbose: 0 });
    // data loss mean((1)^2, (-2)^2) = 2.5, penalty 1*(1+2) = 3
    expect(h2.history['loss']?.[0]).toBeCloseTo(5.5, 5);
    expect(tf.memory().numTensors).toBe(n);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
