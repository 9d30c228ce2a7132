import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { isImageSplit, type BatchSource, type ImageSplit } from '../loop/batch-source';
import { optimizerSpecSchema, regularizationSpecSchema } from '../loop/specs';
import { expectedValue } from '../loop/validate';
import { registryModelNames, type ModelFactoryContext } from '../internal/architectures';
import type { StudyEvent } from './study-types';

/** A model given by the caller: a name for the results plus a factory. */
export interface CustomModel {
  name: string;
  create: (ctx: ModelFactoryContext) => tfl.LayersModel | Promise<tfl.LayersModel>;
}

export interface StudyData {
  train: ImageSplit | BatchSource;
  val: ImageSplit | BatchSource;
}

const isSource = (v: unknown) => {
  const s = v as Partial<BatchSource> | null;
  return isImageSplit(v) || (s != null && typeof s.batches === 'function' && typeof s.count === 'number');
};

const modelSchema = z.union([
  z.string().refine((n) => (registryModelNames as readonly string[]).includes(n), {
    error: expectedValue(`a known model (${registryModelNames.join(', ')}) or { name, create }`),
  }),
  z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: expectedValue('a name of letters, digits, ., _ or - (not starting with ., _ or -)') }),
    create: z.custom<CustomModel['create']>((v) => typeof v === 'function', { error: expectedValue('a function') }),
  }),
]);

const epochsSchema = z.number().int().min(1);

/** The paper's grid: (l1, l2) in {0, 1e-4}^2. */
export const paperRegularizationGrid = [
  { l1: 0, l2: 0 },
  { l1: 1e-4, l2: 0 },
  { l1: 0, l2: 1e-4 },
  { l1: 1e-4, l2: 1e-4 },
] as const;

export const studyOptionsSchema = z
  .strictObject({
    models: z.array(modelSchema).min(1),
    regularization: z.array(regularizationSpecSchema).min(1).default([...paperRegularizationGrid].map((r) => regularizationSpecSchema.parse(r))),
    seeds: z.array(z.number().int().min(0)).min(1).default([0]),
    /** Epochs for every model, or per model name (e.g. { initial: 50, new: 50, resnet18: 25 }). */
    epochs: z.union([epochsSchema, z.record(z.string(), epochsSchema)]),
    batchSize: z.number().int().min(1).default(100),
    optimizer: optimizerSpecSchema.default({ kind: 'sgd', learningRate: 0.001, momentum: 0.9 }),
    data: z.union([
      z.strictObject({
        train: z.custom<StudyData['train']>(isSource, { error: expectedValue('a TinyImageNetSplit or a BatchSource') }),
        val: z.custom<StudyData['val']>(isSource, { error: expectedValue('a TinyImageNetSplit or a BatchSource') }),
      }),
      z.custom<() => Promise<StudyData>>((v) => typeof v === 'function'),
    ], { error: expectedValue('{ train, val } (TinyImageNetSplits or BatchSources) or an async loader function') }),
    /** Classes of the data; default: `train.classes.length`, else 1 + the largest train label. */
    numClasses: z.number().int().min(2).optional(),
    /**
     * What identifies the data beyond its counts, e.g. its source and subset (`"A.zip classes=20
     * per-class=30"`); stored in each run's config.json and compared on restart (default: none).
     */
    dataFingerprint: z.string().min(1).optional(),
    outDir: z.string().min(1),
    shard: z
      .strictObject({ index: z.number().int().min(0), count: z.number().int().min(1) })
      .refine((s) => s.index < s.count, {
        error: (issue) => `expected an integer < count (${String((issue.input as { count: number }).count)}), got ${String((issue.input as { index: number }).index)}`,
        path: ['index'],
      })
      .optional(),
    /** Keep per-epoch checkpoints so that a killed run resumes (default true). */
    checkpoint: z.boolean().default(true),
    weightStats: z.boolean().default(true),
    /**
     * Keep the weights of each run's best epoch (highest val accuracy) and of its last completed epoch
     * in `<run>/model/best/` and `<run>/model/last/` (float32, no optimizer state): true (default) for
     * both formats, a list of formats (`'tfjs'`: model.json + weights.bin; `'pytorch'`:
     * model.safetensors), or false for none. Best is written when an epoch becomes the best, last after
     * every epoch, both before that epoch's checkpoint.
     */
    keepWeights: z.union([z.boolean(), z.array(z.enum(['tfjs', 'pytorch'])).min(1)]).default(true),
    signal: z.custom<AbortSignal>((v) => typeof v === 'object' && v !== null && 'aborted' in v).optional(),
    onEvent: z.custom<(event: StudyEvent) => void>((v) => typeof v === 'function').optional(),
  })
  .superRefine((opts, ctx) => {
    if (typeof opts.epochs === 'object') {
      opts.models.forEach((m) => {
        const name = typeof m === 'string' ? m : m.name;
        if ((opts.epochs as Record<string, number>)[name] === undefined) {
          ctx.addIssue({ code: 'custom', path: ['epochs', name], message: `is required (model '${name}' is in models)` });
        }
      });
    }
  });

/** Options of {@link runStudy}. */
export type StudyOptions = z.input<typeof studyOptionsSchema>;
export type ResolvedStudyOptions = z.output<typeof studyOptionsSchema>;
