import * as tf from '@tensorflow/tfjs-core';
import {
  addCoupledWeightDecay,
  decoupledWeightDecay,
  penalty,
  proximalL1,
  selectVariables,
  weightStatsAsync,
  type StepHook,
} from '@regstudy/regularizers';
import { lazyConvGradients } from '@regstudy/tfjs-training-kernels';
import { isImageSplit, toBatchSource, type BatchSource } from './batch-source';
import { restoreCheckpoint, snapshot } from './checkpoint-io';
import { evaluatePass, lossPenaltyTerms, numClassesOf } from './evaluate';
import type { CheckpointStore } from './checkpoint';
import { reseedDropout, seededLayers } from './dropout-seeds';
import { createOptimizer, disposeOptimizer, optimizerDecay } from './optimizer';
import { SgdMomentumOptimizer, type FoldedTerms } from '@regstudy/tfjs-training-kernels';
import { trainOptionsSchema, type ResolvedTrainOptions, type TrainOptions } from './train-options';
import { bestOf, type EpochRecord, type TrainEvent, type TrainResult } from './types';
import { OptionsError, parseOptions } from './validate';

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Trains `model` with a custom loop and returns the per-epoch history.
 *
 * Per batch (train mode, `model.apply(x, {training: true})`, dropout seeded per step):
 * - data loss `CE = mean_i -log softmax(logits_i)[y_i]` (the model outputs logits);
 * - penalty `P = l1*sum|w| (+ l2*sum w^2 when l2Mode = 'penalty')` over the selected variables;
 * - gradients of `CE + P`, plus `l2*w` when l2Mode = 'weight-decay' (PyTorch coupled decay); with SGD
 *   momentum on a backend with the fused momentum kernel (wasm) and no L2 loss term, `l1*sign(w)`
 *   and `l2*w` are added inside the momentum step instead (same weights; P summed in that pass);
 * - optimizer step, then the step hooks (proximal L1, decoupled decay, AdamW's decay).
 * Train loss/accuracy are running means over the epoch's batches weighted by batch size; the val
 * loss is the eval-mode cross-entropy plus the penalty at the epoch's end (as the paper logs it).
 *
 * A non-finite loss ends the run with status 'diverged'; an aborted `signal` ends it between batches
 * with status 'aborted'. Neither throws. With `checkpoint` (a {@link CheckpointStore}, e.g.
 * `memoryCheckpointStore()`, or `fsCheckpointStore(dir)` from `@regstudy/trainer/node`, whose
 * `train` also takes `{ dir }`), each completed epoch is saved and a restarted run continues after
 * the last saved epoch with the same result as an uninterrupted one.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const opts = parseOptions(trainOptionsSchema, options, 'train()');
  const store: CheckpointStore | undefined = opts.checkpoint;
  const optimizer = createOptimizer(opts.optimizer);
  try {
    return await runLoop(opts, optimizer, store);
  } finally {
    disposeOptimizer(optimizer);
  }
}

async function runLoop(
  opts: ResolvedTrainOptions,
  optimizer: tf.Optimizer,
  store: CheckpointStore | undefined,
): Promise<TrainResult> {
  const { model, epochs, batchSize, seed, regularization: reg, signal } = opts;
  const emit = (event: TrainEvent) => opts.onEvent?.(event);
  const trainSource: BatchSource = toBatchSource(opts.train);
  const valSource: BatchSource = toBatchSource(opts.val);
  const numClasses = numClassesOf(model);
  for (const key of ['train', 'val'] as const) {
    const data = opts[key];
    if (isImageSplit(data)) {
      const max = data.labels.reduce((m, l) => Math.max(m, l), -1);
      if (max >= numClasses) {
        throw new OptionsError('train()', { option: `${key}.labels`, message: `expected labels < ${numClasses} (the model's output classes), got label ${max}` });
      }
    }
  }
  const learningRate = opts.optimizer.learningRate;

  const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const selected = selectVariables(trainable, reg.select);
  const penaltyTerms = lossPenaltyTerms(reg);
  const hasPenalty = penaltyTerms.l1 > 0 || penaltyTerms.l2 > 0;
  const coupledDecay = reg.l2Mode === 'weight-decay' ? reg.l2 : 0;
  const hooks: StepHook[] = [];
  if (reg.proximalL1 > 0) hooks.push(proximalL1({ lambda: reg.proximalL1, select: reg.select }));
  if (reg.decoupledDecay > 0) hooks.push(decoupledWeightDecay({ rate: reg.decoupledDecay, select: reg.select }));
  const adamwDecay = optimizerDecay(opts.optimizer);
  // AdamW decays every trainable variable (the optimizer's own setting), independent of `select`.
  if (adamwDecay > 0) hooks.push(decoupledWeightDecay({ rate: adamwDecay, select: 'all' }));
  const dropout = seededLayers(model);
  const penaltyNow = () => (hasPenalty ? penalty(selected, penaltyTerms) : tf.scalar(0));
  // SGD with momentum on a backend with the fused kernel: l1 * sign(w) and the coupled decay go
  // into the momentum step (one pass per variable) instead of through autograd; the logged
  // penalty is summed in that pass, at the same (pre-step) weights.
  const folded = new Map<string, FoldedTerms>();
  // (tf.Optimizer's Symbol.hasInstance accepts any optimizer, so `instanceof` cannot tell them apart.)
  if (Object.prototype.isPrototypeOf.call(SgdMomentumOptimizer.prototype, optimizer) && penaltyTerms.l2 === 0 && (penaltyTerms.l1 > 0 || coupledDecay > 0)) {
    for (const v of selected) folded.set(v.name, { l1: penaltyTerms.l1, decay: coupledDecay });
  }

  let history: EpochRecord[] = [];
  let startEpoch = 1;
  if (store) {
    const state = await store.load();
    if (state) {
      await restoreCheckpoint(state, model, optimizer, opts.optimizer.kind, seed);
      history = state.history.slice(0, state.epoch);
      startEpoch = state.epoch + 1;
    }
  }
  const resumedFromEpoch = startEpoch - 1;
  const batchesPerEpoch = Math.ceil(trainSource.count / batchSize);
  emit({ type: 'start', epochs, startEpoch, batchesPerEpoch, resumed: resumedFromEpoch > 0 });

  const finish = (status: TrainResult['status'], stoppedAt?: TrainResult['stoppedAt']): TrainResult => {
    const best = bestOf(history);
    emit({ type: 'end', status, best, epochs: history.length });
    return { status, history, best, resumedFromEpoch, ...(stoppedAt ? { stoppedAt } : {}) };
  };

  for (let epoch = startEpoch; epoch <= epochs; epoch++) {
    const epochStart = now();
    let seen = 0;
    let lossSum = 0;
    let penaltySum = 0;
    let correctSum = 0;
    let batch = 0;
    for await (const { xs, ys, size } of trainSource.batches({ batchSize, shuffle: true, seed, epoch })) {
      batch++;
      if (signal?.aborted) {
        tf.dispose([xs, ys]);
        return finish('aborted', { epoch, batch, reason: 'signal aborted' });
      }
      reseedDropout(dropout, seed, epoch, batch);
      let kept: tf.Scalar[] = [];
      const fold = folded.size > 0 && (optimizer as SgdMomentumOptimizer).fusedActive();
      const stats = tf.tidy(() => {
        const labels = tf.oneHot(ys, numClasses);
        const { grads } = tf.variableGrads(() => {
          // Linear convolutions as tf.conv2d (lazy gradients: the image's is never computed).
          const restoreConvs = lazyConvGradients(model);
          let logits: tf.Tensor2D;
          try {
            logits = model.apply(xs, { training: true }) as tf.Tensor2D;
          } finally {
            restoreConvs();
          }
          const dataLoss = tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
          const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), ys), 'float32')) as tf.Scalar;
          if (fold) {
            kept = [tf.keep(dataLoss), tf.keep(correct)];
            return dataLoss;
          }
          const pen = penaltyNow();
          kept = [tf.keep(dataLoss), tf.keep(pen), tf.keep(correct)];
          return tf.add(dataLoss, pen) as tf.Scalar;
        }, trainable);
        const decayed = coupledDecay > 0 && !fold ? addCoupledWeightDecay(grads, trainable, coupledDecay, reg.select) : grads;
        // An array in a fixed order: tfjs optimizers index their slots by position.
        const named = trainable.map((v) => {
          const tensor = decayed[v.name];
          if (tensor === undefined) throw new Error(`no gradient for variable ${v.name}`);
          return { name: v.name, tensor };
        });
        if (fold) {
          const pen = (optimizer as SgdMomentumOptimizer).applyGradientsFolded(named, folded);
          kept = [kept[0]!, tf.keep(pen), kept[1]!];
        } else {
          optimizer.applyGradients(named);
        }
        return tf.stack(kept);
      });
      tf.dispose(kept);
      tf.dispose([xs, ys]);
      for (const hook of hooks) hook.apply(trainable, { learningRate });
      const values = await stats.data();
      stats.dispose();
      const [loss, pen, correct] = [values[0]!, values[1]!, values[2]!];
      if (!Number.isFinite(loss) || !Number.isFinite(pen)) {
        return finish('diverged', { epoch, batch, reason: `non-finite loss (data ${loss}, penalty ${pen})` });
      }
      seen += size;
      lossSum += loss * size;
      penaltySum += pen * size;
      correctSum += correct;
      emit({ type: 'batch', epoch, batch, batches: batchesPerEpoch, loss, penalty: pen, accuracy: correct / size, size });
    }
    const trainSeconds = (now() - epochStart) / 1000;

    const valPass = await evaluatePass(model, valSource, numClasses, { batchSize, shuffle: opts.shuffleVal, seed, epoch });
    const endPenaltyT = penaltyNow();
    const endPenalty = (await endPenaltyT.data())[0]!;
    endPenaltyT.dispose();
    const valDataLoss = valPass.dataLoss;
    if (!Number.isFinite(valDataLoss) || !Number.isFinite(endPenalty)) {
      return finish('diverged', { epoch, batch, reason: `non-finite validation loss (${valDataLoss})` });
    }
    const trainLoss = seen ? lossSum / seen : Number.NaN;
    const trainPenalty = seen ? penaltySum / seen : 0;
    const record: EpochRecord = {
      epoch,
      trainLoss,
      trainPenalty,
      trainTotalLoss: trainLoss + trainPenalty,
      trainAccuracy: seen ? correctSum / seen : 0,
      valLoss: valDataLoss + endPenalty,
      valDataLoss,
      valAccuracy: valPass.accuracy,
      learningRate,
      epochSeconds: (now() - epochStart) / 1000,
      imagesPerSecond: trainSeconds > 0 ? seen / trainSeconds : 0,
      ...(opts.weightStats ? { weightStats: await weightStatsAsync(trainable) } : {}),
    };
    history.push(record);
    const best = bestOf(history);
    emit({ type: 'epoch', record, best });
    // Before the checkpoint: once epoch N is saved, whatever afterEpoch did for N is done too.
    if (opts.afterEpoch) await opts.afterEpoch({ record, best, model });
    if (store) {
      await store.save(await snapshot(epoch, model, optimizer, opts.optimizer.kind, seed, history));
      emit({ type: 'checkpoint', epoch });
    }
  }
  return finish('completed');
}
