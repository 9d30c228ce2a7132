import { isAbsolute, join, resolve } from 'node:path';
import type { BackendName, CliArgs, CliModelName, L2Mode, PresetName } from './args';
import { CliError } from './args';
import { presets } from './presets';

export { presets, TINY_IMAGENET_URL } from './presets';

/** Where the images come from. */
export type DataPlan =
  | {
      kind: 'synthetic';
      /** Folder the twin is written into (inside the cache), in the official layout. */
      dir: string;
      classes: number;
      trainPerClass: number;
      valPerClass: number;
      seed: number;
    }
  | {
      kind: 'tiny-imagenet';
      /** A tiny-imagenet-200 folder, its zip, or a URL to the zip. */
      source: string;
      /** Expected SHA-256 of the zip downloaded from a URL `source` (`--sha256`). */
      sha256?: string;
      classes?: number;
      /** Where `classes` came from: `--classes`, or the preset (for messages naming the flag to change). */
      classesFrom?: 'flag' | 'preset';
      trainPerClass?: number;
      valPerClass?: number;
      /** `--skip-bad-images`: leave undecodable images out (each named in a warning). */
      skipBadImages: boolean;
    };

/** Everything a run of the CLI does, resolved from the preset and the flags. */
export interface StudyPlan {
  preset: PresetName;
  data: DataPlan;
  cacheDir: string;
  outDir: string;
  /** Models with their epoch counts. */
  models: { name: CliModelName; epochs: number }[];
  /** The grid's (L1, L2) settings: every L1 with every L2 (or the preset's own list, e.g. sweep's). */
  regularization: { l1: number; l2: number }[];
  l2Mode: L2Mode;
  seeds: number;
  batchSize: number;
  optimizer: { kind: 'sgd'; learningRate: number; momentum: number };
  /** Pixel scaling: the original code's `ToTensor()`, i.e. x / 255 in [0, 1], no mean/std. */
  normalize: '0-1';
  backend: BackendName;
  /** wasm threads of each training process; undefined: all cores divided among `jobs`. */
  threads?: number;
  /** Training processes at once; each runs shard `i/jobs` (of this plan's shard, if any). */
  jobs: number;
  shard?: { index: number; count: number };
  resume: boolean;
  /** Keep the checkpoint/ folder of finished runs (default: deleted, they only serve to resume). */
  keepCheckpoints: boolean;
  /** Keep each run's best and last weights in `<run>/model/` (the trainer's `keepWeights`). */
  keepWeights: boolean;
}

/** SGD as the original code ran it: `SGD(lr=0.001, momentum=0.9)`. */
export const PAPER_OPTIMIZER = { kind: 'sgd', learningRate: 0.001, momentum: 0.9 } as const;

/** Seed of the synthetic twin: fixed, so that every quick run sees the same images. */
export const SYNTHETIC_SEED = 20240601;

/**
 * Resolves the preset and the flags into a plan. Relative paths are taken from `cwd`
 * (the folder `pnpm` was started in when run through it).
 * @throws CliError naming the flag when a combination is invalid
 */
export function resolvePlan(args: CliArgs, cwd: string): StudyPlan {
  const preset = presets[args.preset];
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(cwd, p));
  const cacheDir = abs(args.cache ?? join('.cache', 'regstudy'));
  const source = args.data ?? preset.defaultData;
  const epochsOf = (e: number): number => args.epochs ?? (source === undefined ? preset.syntheticEpochs : undefined) ?? e;
  const presetModels = source === undefined && preset.syntheticModels ? preset.syntheticModels : preset.models.map((m) => m.name);
  const epochsOfModel = (name: CliModelName): number => epochsOf(preset.models.find((m) => m.name === name)?.epochs ?? preset.models[preset.models.length - 1]!.epochs);
  const models = (args.models ?? presetModels).map((name) => ({ name, epochs: epochsOfModel(name) }));
  const l1s = args.l1 ?? preset.l1;
  const l2s = args.l2 ?? preset.l2;
  const regularization =
    preset.settings && args.l1 === undefined && args.l2 === undefined ? preset.settings.map((r) => ({ ...r })) : l1s.flatMap((l1) => l2s.map((l2) => ({ l1, l2 })));

  let data: DataPlan;
  if (source !== undefined) {
    const isUrl = /^https?:\/\//i.test(source);
    if (args.sha256 !== undefined && !isUrl) throw new CliError(`--sha256: checks a download, but --data "${source}" is not an http(s) URL`);
    data = {
      kind: 'tiny-imagenet',
      source: isUrl ? source : abs(source),
      ...(args.sha256 !== undefined ? { sha256: args.sha256 } : {}),
      classes: args.classes ?? preset.subset?.classes,
      ...(args.classes !== undefined ? { classesFrom: 'flag' as const } : preset.subset?.classes !== undefined ? { classesFrom: 'preset' as const } : {}),
      trainPerClass: args.perClass ?? preset.subset?.trainPerClass,
      valPerClass: args.valPerClass ?? preset.subset?.valPerClass,
      skipBadImages: args.skipBadImages,
    };
  } else {
    if (args.sha256 !== undefined) throw new CliError('--sha256: checks a download, but no --data URL is given (the preset uses synthetic data)');
    const s = preset.synthetic!;
    const classes = args.classes ?? s.classes;
    const trainPerClass = args.perClass ?? s.trainPerClass;
    const valPerClass = args.valPerClass ?? s.valPerClass;
    data = {
      kind: 'synthetic',
      dir: join(cacheDir, `synthetic-c${classes}-t${trainPerClass}-v${valPerClass}-s${SYNTHETIC_SEED}`),
      classes,
      trainPerClass,
      valPerClass,
      seed: SYNTHETIC_SEED,
    };
  }
  const batchSize = args.batchSize ?? preset.batchSize;
  return {
    preset: args.preset,
    data,
    cacheDir,
    outDir: abs(args.out),
    models,
    regularization,
    l2Mode: args.l2Mode ?? 'weight-decay',
    seeds: args.seeds ?? (source === undefined ? preset.syntheticSeeds : undefined) ?? preset.seeds ?? 1,
    batchSize,
    optimizer: { ...PAPER_OPTIMIZER, learningRate: args.learningRate ?? preset.learningRate },
    normalize: '0-1',
    backend: args.backend,
    ...(args.threads !== undefined ? { threads: args.threads } : {}),
    jobs: args.jobs,
    shard: args.shard,
    resume: args.resume,
    keepCheckpoints: args.keepCheckpoints,
    keepWeights: args.keepWeights,
  };
}

/** Throws a CliError when the plan cannot run (e.g. a shard larger than the grid). */
export function checkPlan(plan: StudyPlan): void {
  const runs = plan.models.length * plan.regularization.length * plan.seeds;
  if (plan.shard && plan.shard.count > runs) {
    throw new CliError(`--shard: ${plan.shard.count} shards for a grid of ${runs} runs; use at most ${runs}`);
  }
  if (plan.jobs > 1 && plan.shard) {
    throw new CliError('--jobs: cannot be combined with --shard (--jobs N runs shards 0/N .. N-1/N itself)');
  }
  if (plan.jobs > runs) throw new CliError(`--jobs: ${plan.jobs} jobs for a grid of ${runs} runs; use at most ${runs}`);
}
