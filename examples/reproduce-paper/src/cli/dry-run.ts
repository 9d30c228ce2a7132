/**
 * `--dry-run`'s summary: the grid's size, the time it should take from recorded epoch speeds, and
 * the disk its checkpoints take.
 */
import type { StudyPlan } from './plan';

/**
 * Recorded training speed: seconds per 1000 images of an epoch (train and val images counted
 * alike, batch 50), wasm, 2 processes x 1 thread (`--jobs 2`) on the 2-core development CPU,
 * measured 2026-12-07 17:56 UTC at load average 1.0 before the run (README, "The sweep preset").
 * `l1` is for runs with an L1 term (its gradient touches every parameter: slower). ResNet-18 is
 * not measured this way: BENCHMARKS.md's ~33 training images/s with 2 threads, halved per job.
 */
export const RECORDED_SECONDS_PER_1000: Record<string, { plain: number; l1: number; source: string }> = {
  initial: { plain: 2.38, l1: 4.18, source: 'measured: 5.5-6.4 s (plain) and 10.2-10.7 s (L1 1e-4) per epoch of 2000 + 500 images' },
  new: { plain: 1.4, l1: 1.52, source: 'measured: 3.5 s (plain) and 3.7-3.9 s (L1 1e-4) per epoch of 2000 + 500 images' },
  resnet18: { plain: 60, l1: 66, source: 'BENCHMARKS.md (2 threads, one process), halved per job: rough' },
  resnet34: { plain: 120, l1: 132, source: 'twice ResNet-18 (not measured): rough' },
};

/** Bytes of one checkpoint: trainable parameters x 4 bytes x 2 (weights + SGD momentum), plus the non-trainable (batch-norm statistics) x 4. */
export const checkpointBytes = (p: { trainable: number; nonTrainable: number }): number => p.trainable * 4 * 2 + p.nonTrainable * 4;

/** Bytes of the weights a finished run keeps: all parameters x 4 bytes x 2 (best, last) x 2 (tfjs, PyTorch); model.json and headers not counted. */
export const keptWeightsBytes = (p: { trainable: number; nonTrainable: number }): number => (p.trainable + p.nonTrainable) * 4 * 2 * 2;

/** The dry run's numbers. */
export interface DryRunSummary {
  runs: number;
  shardRuns: number;
  gridText: string;
  /** Estimated wall seconds of this invocation's runs. */
  seconds: number;
  /** Per model: seconds per epoch, trainable parameters and bytes per checkpoint. */
  models: { name: string; epochSeconds: number; epochSecondsL1: number; params: { trainable: number; nonTrainable: number }; checkpointBytes: number; source: string }[];
  /** Checkpoints on disk at once while training (one per running job), and with --keep-checkpoints after all runs. */
  diskWhileTraining: number;
  diskKept: number;
  /** Kept weights (model/best, model/last) of this invocation's runs after they finish; 0 with --no-keep-weights. */
  weightsKept: number;
}

const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
const hms = (s: number) => `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;

/**
 * Estimates time and disk from the plan, the run ids of this invocation and each model's
 * parameter counts (from `countParams`). Time: per run, epochs x images x the recorded seconds per
 * 1000 images of its model (L1 > 0: the L1 figure), summed, then divided by the processes that run
 * at once (2 for --jobs >= 2 on 2 cores; one process with 2 threads is 1.5x slower than two jobs:
 * README, "Both cores").
 */
export function summarizeDryRun(
  plan: StudyPlan,
  runIds: readonly string[],
  params: Record<string, { trainable: number; nonTrainable: number }>,
  images: { train: number; val: number },
): DryRunSummary {
  const runs = plan.models.length * plan.regularization.length * plan.seeds;
  const perThousand = (images.train + images.val) / 1000;
  const models = plan.models.map((m) => {
    const rec = RECORDED_SECONDS_PER_1000[m.name] ?? RECORDED_SECONDS_PER_1000.resnet34!;
    const p = params[m.name] ?? { trainable: 0, nonTrainable: 0 };
    return { name: m.name, epochSeconds: rec.plain * perThousand, epochSecondsL1: rec.l1 * perThousand, params: p, checkpointBytes: checkpointBytes(p), source: rec.source };
  });
  let processSeconds = 0;
  for (const id of runIds) {
    const m = plan.models.find((x) => id.startsWith(`${x.name}_`));
    const info = models.find((x) => x.name === m?.name);
    if (!m || !info) continue;
    const l1 = !/_l1-0_/.test(id);
    processSeconds += m.epochs * (l1 ? info.epochSecondsL1 : info.epochSeconds);
  }
  const seconds = plan.jobs >= 2 ? processSeconds / 2 : (processSeconds / 2) * 1.5;
  const biggest = Math.max(0, ...models.map((m) => m.checkpointBytes));
  const perRun = (id: string) => models.find((x) => id.startsWith(`${x.name}_`))?.checkpointBytes ?? 0;
  const gridText = `${plan.models.length} models x ${plan.regularization.length} (L1, L2) settings x ${plan.seeds} seed${plan.seeds === 1 ? '' : 's'} = ${runs} runs`;
  return {
    runs,
    shardRuns: runIds.length,
    gridText,
    seconds,
    models,
    diskWhileTraining: biggest * Math.max(1, plan.jobs),
    diskKept: runIds.reduce((s, id) => s + perRun(id), 0),
    weightsKept: plan.keepWeights
      ? runIds.reduce((s, id) => s + keptWeightsBytes(models.find((x) => id.startsWith(`${x.name}_`))?.params ?? { trainable: 0, nonTrainable: 0 }), 0)
      : 0,
  };
}

/** The summary as the lines `--dry-run` prints. */
export function dryRunText(s: DryRunSummary, plan: StudyPlan, images: { train: number; val: number }): string {
  const lines = [
    `grid: ${s.gridText}${s.shardRuns !== s.runs ? `; this shard: ${s.shardRuns}` : ''}`,
    `data: ${images.train} train + ${images.val} val images an epoch`,
    `estimated time: ${hms(s.seconds)} with --jobs ${plan.jobs} (from RECORDED epoch speeds on the wasm backend, 2-core CPU, not timed now; other machines and backends differ):`,
    ...s.models.map((m) => `  ${m.name}: ${m.epochSeconds.toFixed(1)} s an epoch, ${m.epochSecondsL1.toFixed(1)} s with L1 (${m.source})`),
    `checkpoints: parameters x 4 bytes x (weights + momentum) = ${s.models.map((m) => `${m.name} ${m.params.trainable.toLocaleString('en-US')} params, ${mb(m.checkpointBytes)}`).join('; ')}`,
    `  on disk while training: up to ${mb(s.diskWhileTraining)} (one checkpoint per running job; deleted when a run finishes); ` +
      `with --keep-checkpoints: ${mb(s.diskKept)} for the ${s.shardRuns} runs`,
    plan.keepWeights
      ? `kept weights (model/best, model/last; tfjs + PyTorch): parameters x 4 bytes x 2 x 2 = ${mb(s.weightsKept)} for the ${s.shardRuns} runs (--no-keep-weights: none)`
      : 'kept weights: none (--no-keep-weights)',
  ];
  return `${lines.join('\n')}\n`;
}

/** Trainable and non-trainable parameter counts of each model, built once on tfjs's cpu backend and disposed. */
export async function countParams(models: readonly string[], numClasses: number): Promise<Record<string, { trainable: number; nonTrainable: number }>> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  const { createModel, describeModel, isModelName } = await import('@regstudy/architectures');
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  const out: Record<string, { trainable: number; nonTrainable: number }> = {};
  for (const name of models) {
    if (!isModelName(name)) continue;
    const model = createModel(name, { numClasses });
    const d = describeModel(model);
    out[name] = { trainable: d.trainableParams, nonTrainable: d.nonTrainableParams };
    model.dispose();
  }
  return out;
}

/** Train and val images an epoch of the plan (Tiny-ImageNet without a subset: 200 x 500 + 200 x 50). */
export function imagesOf(plan: StudyPlan): { train: number; val: number; classes: number } {
  const d = plan.data;
  const classes = d.classes ?? 200;
  return { classes, train: classes * (d.trainPerClass ?? 500), val: classes * (d.valPerClass ?? 50) };
}
