import { parseArgs } from 'node:util';
import { nodeBackendChoices } from '@regstudy/tfjs-training-kernels/node';

/** Model names the CLI accepts (the registry of `@regstudy/architectures`). */
export const cliModelNames = ['initial', 'new', 'resnet18', 'resnet34'] as const;
export type CliModelName = (typeof cliModelNames)[number];

export const presetNames = ['quick', 'paper', 'sweep'] as const;
export type PresetName = (typeof presetNames)[number];

/** `--backend` values: those of `useBackend` from `@regstudy/tfjs-training-kernels/node`. */
export const backendNames = nodeBackendChoices;
export type BackendName = (typeof backendNames)[number];

export const l2Modes = ['weight-decay', 'penalty'] as const;
export type L2Mode = (typeof l2Modes)[number];

/** The command line after parsing and validation; unset options are `undefined` (the preset decides). */
export interface CliArgs {
  help: boolean;
  preset: PresetName;
  data?: string;
  /** `--sha256`: expected SHA-256 (lowercase hex) of the zip downloaded from a `--data` URL. */
  sha256?: string;
  cache?: string;
  out: string;
  l2Mode?: L2Mode;
  models?: CliModelName[];
  l1?: number[];
  l2?: number[];
  epochs?: number;
  seeds?: number;
  batchSize?: number;
  classes?: number;
  perClass?: number;
  valPerClass?: number;
  learningRate?: number;
  backend: BackendName;
  /** wasm threads per process (`--threads`); unset: all cores, divided among `--jobs`. */
  threads?: number;
  /** Processes that train the grid at once (`--jobs`, default 1), each on its `--shard i/N`. */
  jobs: number;
  shard?: { index: number; count: number };
  resume: boolean;
  keepCheckpoints: boolean;
  /** Keep each run's best and last weights in `<run>/model/` (default; `--no-keep-weights` turns it off). */
  keepWeights: boolean;
  reportOnly: boolean;
  /** Train only, write no report (`--no-report`; the jobs of `--jobs` run this way). */
  noReport: boolean;
  dryRun: boolean;
  quiet: boolean;
  /** Leave undecodable images of `--data` out (`--skip-bad-images`), listed in the cache manifest. */
  skipBadImages: boolean;
}

/** A command-line mistake; the message names the flag. The CLI prints it and exits with code 2. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export const helpText = `reproduce-paper: redo the L1/L2 study of "Impact of L1 and L2 Penalties on Generalizability
of a Deep Learning Model" (Initial, New and ResNet-18 models on Tiny-ImageNet) and write a report
beside the paper's Tables 1-3 and original per-epoch logs.

Usage: reproduce-paper [options]          (from the repo root: pnpm reproduce [-- options])

Presets
  --preset quick|paper|sweep
                          quick (default): a synthetic Tiny-ImageNet twin written into the cache
                          (10 classes, 20 + 10 images each), the whole grid (3 models x 4 lambda
                          settings) for 5/8/2 epochs at lr 0.01, batch 20: 1.5-3 minutes on a
                          2-core CPU with the wasm backend.
                          paper: the original protocol: SGD lr 0.001 momentum 0.9, batch 100,
                          pixels in [0,1], L1 as a loss term over all parameters, L2 as PyTorch's
                          coupled weight decay, 50 epochs (Initial, New), 25 (ResNet-18), on the
                          real Tiny-ImageNet (--data, default: the official zip's URL).
                          sweep: Initial and New, L1 and L2 each in {0,1e-5,1e-4,1e-3} (the other
                          0), 3 seeds, 30 epochs, on 20 classes x 300+50 images of --data (3-4 h
                          with --jobs 2 on 2 cores); without --data the quick check: New only,
                          2 seeds, 3 epochs on a tiny synthetic twin (14 runs).
Data
  --data <dir|zip|URL>    the real Tiny-ImageNet: a tiny-imagenet-200 folder, its zip, or a URL to
                          the zip (prepared into the cache once). Default: synthetic twin (quick).
  --sha256 <hex>          expected SHA-256 of the zip downloaded from a --data URL. None is
                          published for the official zip: without it, the first download's is
                          recorded in <cache>/downloads/<zip>.sha256 and checked on later runs
  --cache <dir>           cache folder for prepared data (default .cache/regstudy)
  --classes N             use the first N classes (synthetic: write N classes)
  --per-class N           train images per class
  --val-per-class N       validation images per class
  --skip-bad-images       leave undecodable images of --data out instead of stopping (each is
                          named in a warning and listed in the cache manifest's skippedImages)
Grid
  --models a,b            models: ${cliModelNames.join(', ')}
  --l1 x,y                L1 lambdas (comma list); the grid is every --l1 with every --l2
  --l2 x,y                L2 lambdas (comma list)
  --l2-mode MODE          weight-decay (the paper's code: grad += l2*w, not in the loss) or
                          penalty (the paper's text: loss += l2*sum(w^2))
  --epochs N              epochs for every model (default: the preset's per-model epochs)
  --seeds N               seeds per grid point (0..N-1), default 1
  --batch-size N          mini-batch size
  --lr X                  SGD learning rate (paper: 0.001; quick: 0.01), momentum stays 0.9
Running
  --backend NAME          auto (default: tensorflow if installed, else webgpu on a hardware
                          GPU if installed, else wasm, else cpu), tensorflow, webgpu, wasm or cpu
  --jobs N                train N runs at once, one process each (a --shard i/N of the grid;
                          default 1). On a CPU this beats one process with N threads: tfjs's
                          wasm threads leave much of a step serial (see BENCHMARKS.md)
  --threads N             wasm threads per process (default: the cores divided among --jobs)
  --shard i/N             run only slice i (0-based) of N slices of the grid, e.g. one array task
                          of a cluster job (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX)
  --resume, --no-resume   continue finished and interrupted runs in --out (default: resume)
  --out <dir>             results folder (default results/)
  --report-only           train nothing: write the report from the results in --out (e.g. after
                          all --shard jobs of a cluster run wrote into the same --out)
  --no-report             train only, write no report (what each --jobs process does)
  --keep-checkpoints      keep finished runs' checkpoint/ folders (default: deleted; they serve
                          to resume, e.g. a later --epochs larger than before, and weigh 40-130 MB
                          a run; without one a longer run starts over)
  --no-keep-weights       keep no weights. By default each run keeps the weights of its best epoch
                          (val accuracy) and of its last one in <run>/model/best/ and model/last/,
                          as a tfjs model (model.json + weights.bin) and a PyTorch state dict
                          (model.safetensors), float32 without optimizer state: 2 x 2 x 4 bytes per
                          parameter: New 34 MB, Initial 170 MB, ResNet-18 181 MB a run (README)
  --dry-run               print the plan, its runs, the estimated time and checkpoint disk, then exit
  --quiet                 no progress bars
  -h, --help              this text

Commands
  reproduce-paper evaluate --run <dir> [--which best|last] [data flags]
                          load a run's kept weights and print their val accuracy and loss
                          (reproduce-paper evaluate --help)

Examples
  pnpm reproduce                                   quick preset, synthetic data, report in results/
  pnpm reproduce -- --models new --epochs 2        one model, two epochs
  reproduce-paper --preset paper --data ~/data/tiny-imagenet-200.zip --out results/paper
  reproduce-paper --preset paper --l2-mode penalty --seeds 3 --shard 2/8 --out /scratch/study
  reproduce-paper --preset paper --l2-mode penalty --seeds 3 --out /scratch/study --report-only
  reproduce-paper --data ./tiny-imagenet-200 --classes 10 --per-class 100 --epochs 5 --backend wasm
`;

/** A flag's value in a message: a number as written (`-1`), anything else quoted (`"x"`). */
function shown(v: string): string {
  return v.trim() !== '' && Number.isFinite(Number(v)) ? v.trim() : JSON.stringify(v);
}

function positiveInt(flag: string, v: string | undefined, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new CliError(`--${flag}: expected ${min === 1 ? 'a positive integer' : `an integer >= ${min}`}, got ${shown(v)}`);
  }
  return n;
}

function nonNegativeList(flag: string, v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map((s) => s.trim());
  if (parts.some((p) => p === '')) throw new CliError(`--${flag}: empty item in "${v}" (use a comma list like 0,0.0001)`);
  const values = parts.map((p) => {
    const n = Number(p);
    if (!Number.isFinite(n) || n < 0) throw new CliError(`--${flag}: expected numbers >= 0 (a comma list like 0,0.0001), got ${shown(p)}`);
    return n;
  });
  return [...new Set(values)];
}

function oneOf<T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new CliError(`--${flag}: "${v}" is not one of ${allowed.join(', ')}`);
  return v as T;
}

function parseShard(v: string | undefined): { index: number; count: number } | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(v.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index >= count) {
    throw new CliError(`--shard: expected i/N with 0 <= i < N (e.g. 0/4), got "${v}"`);
  }
  return { index, count };
}

/**
 * Parses and validates the command line (without `node` and the script path).
 * @throws CliError naming the flag for an unknown flag, a bad value or a missing value
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed: ReturnType<typeof parseRaw>;
  // `pnpm reproduce -- --epochs 2` may hand the separator through.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const prepared = withFlagValues(args);
  try {
    parsed = parseRaw(prepared);
  } catch (e) {
    throw new CliError(`${(e as Error).message.replace(/\. To specify a positional argument.*$/s, '')} (see --help)`);
  }
  const v = parsed.values;
  if (parsed.positionals.length > 0) throw new CliError(`unexpected argument "${parsed.positionals[0]}" (see --help)`);
  const models = v.models === undefined ? undefined : v.models.split(',').map((s) => s.trim());
  if (models) {
    for (const m of models) {
      if (!(cliModelNames as readonly string[]).includes(m)) throw new CliError(`--models: "${m}" is not one of ${cliModelNames.join(', ')}`);
    }
  }
  let learningRate: number | undefined;
  if (v.lr !== undefined) {
    learningRate = Number(v.lr);
    if (!Number.isFinite(learningRate) || learningRate <= 0) throw new CliError(`--lr: expected a number > 0, got ${shown(v.lr)}`);
  }
  if (v.out !== undefined && v.out.trim() === '') throw new CliError('--out: empty folder name');
  if (v.data !== undefined && v.data.trim() === '') throw new CliError('--data: empty path');
  const scheme = v.data === undefined ? undefined : /^([a-z][a-z0-9+.-]*):\/\//i.exec(v.data.trim())?.[1];
  if (scheme !== undefined && !/^https?$/i.test(scheme)) {
    throw new CliError(`--data: unsupported URL scheme "${scheme}:" in ${JSON.stringify(v.data)}: only http:// and https:// URLs are downloaded; give a local folder or zip as a path`);
  }
  if (v.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(v.sha256.trim())) throw new CliError(`--sha256: expected 64 hex digits, got "${v.sha256}"`);
  return {
    help: v.help ?? false,
    preset: oneOf('preset', v.preset, presetNames) ?? 'quick',
    data: v.data,
    ...(v.sha256 !== undefined ? { sha256: v.sha256.trim().toLowerCase() } : {}),
    cache: v.cache,
    out: v.out ?? 'results',
    l2Mode: oneOf('l2-mode', v['l2-mode'], l2Modes),
    models: models ? ([...new Set(models)] as CliModelName[]) : undefined,
    l1: nonNegativeList('l1', v.l1),
    l2: nonNegativeList('l2', v.l2),
    epochs: positiveInt('epochs', v.epochs),
    seeds: positiveInt('seeds', v.seeds),
    batchSize: positiveInt('batch-size', v['batch-size']),
    classes: positiveInt('classes', v.classes, 2),
    perClass: positiveInt('per-class', v['per-class']),
    valPerClass: positiveInt('val-per-class', v['val-per-class']),
    learningRate,
    backend: oneOf('backend', v.backend, backendNames) ?? 'auto',
    threads: positiveInt('threads', v.threads),
    jobs: positiveInt('jobs', v.jobs) ?? 1,
    shard: parseShard(v.shard),
    resume: v['no-resume'] ? false : true,
    keepCheckpoints: v['keep-checkpoints'] ?? false,
    keepWeights: !(v['no-keep-weights'] ?? false),
    reportOnly: v['report-only'] ?? false,
    noReport: v['no-report'] ?? false,
    dryRun: v['dry-run'] ?? false,
    quiet: v.quiet ?? false,
    skipBadImages: v['skip-bad-images'] ?? false,
  };
}

const flagTable = {
  help: { type: 'boolean', short: 'h' },
  preset: { type: 'string' },
  data: { type: 'string' },
  sha256: { type: 'string' },
  cache: { type: 'string' },
  out: { type: 'string' },
  'l2-mode': { type: 'string' },
  models: { type: 'string' },
  l1: { type: 'string' },
  l2: { type: 'string' },
  epochs: { type: 'string' },
  seeds: { type: 'string' },
  'batch-size': { type: 'string' },
  classes: { type: 'string' },
  'per-class': { type: 'string' },
  'val-per-class': { type: 'string' },
  lr: { type: 'string' },
  backend: { type: 'string' },
  shard: { type: 'string' },
  jobs: { type: 'string' },
  threads: { type: 'string' },
  resume: { type: 'boolean' },
  'no-resume': { type: 'boolean' },
  'keep-checkpoints': { type: 'boolean' },
  'no-keep-weights': { type: 'boolean' },
  'report-only': { type: 'boolean' },
  'no-report': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  quiet: { type: 'boolean' },
  'skip-bad-images': { type: 'boolean' },
} as const;

/** Flags that take a value (`--epochs 3`). */
const valueFlags = new Set(Object.entries(flagTable).flatMap(([name, o]) => (o.type === 'string' ? [`--${name}`] : [])));

/**
 * Prepares the arguments for node's parseArgs, which reads a value starting with "-" as an option
 * and answers in three lines: a negative number (`--epochs -1`) becomes `--epochs=-1`, so that
 * the flag's own check names it in one line; a missing value is one line here.
 */
function withFlagValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    out.push(a);
    if (!valueFlags.has(a)) continue;
    const next = argv[i + 1];
    if (next === undefined) throw new CliError(`${a}: missing value (see --help)`);
    if (!next.startsWith('-')) continue;
    if (!/^-(\d|\.\d)/.test(next)) throw new CliError(`${a}: missing value before ${JSON.stringify(next)} (write ${a}=VALUE for a value that starts with "-")`);
    out[out.length - 1] = `${a}=${next}`;
    i++;
  }
  return out;
}

function parseRaw(argv: readonly string[]) {
  const parsed = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: flagTable,
  });
  if (parsed.values.resume && parsed.values['no-resume']) throw new Error('--resume and --no-resume contradict each other');
  if (parsed.values['report-only'] && parsed.values['no-report']) throw new Error('--report-only and --no-report contradict each other');
  return parsed;
}

/** `--which` values of `evaluate`: the run's best epoch (val accuracy) or its last one. */
export const keptWhichNames = ['best', 'last'] as const;
export type KeptWhichName = (typeof keptWhichNames)[number];

/** `reproduce-paper evaluate ...` after parsing. */
export interface EvaluateArgs {
  help: boolean;
  /** The run folder (`<out>/study/<runId>`). */
  run: string;
  which: KeptWhichName;
  /** `--batch-size`; default: the run's own (config.json). */
  batchSize?: number;
  /** The data, cache and backend flags, as the training command takes them. */
  cli: CliArgs;
}

export const evaluateHelpText = `reproduce-paper evaluate: load the weights a run kept and print their validation accuracy and loss.

Usage: reproduce-paper evaluate --run <dir> [--which best|last] [data flags]

  --run <dir>             a run folder, e.g. results/study/new_l1-0_l2-0_seed-0
  --which best|last       the best epoch's weights (highest val accuracy, default) or the last one's
  --batch-size N          images per forward pass (default: the run's batch size)
  --preset, --data, --cache, --classes, --per-class, --val-per-class
                          the data the run was trained on: pass the same as to the training command
                          (the val split is rebuilt from them and checked against the run's config.json)
  --backend NAME, --threads N
                          as for training
  -h, --help              this text
`;

const evaluateDataFlags = ['preset', 'data', 'cache', 'classes', 'per-class', 'val-per-class', 'backend', 'threads'] as const;

/**
 * Parses the flags after \`evaluate\`.
 * @throws CliError naming the flag for an unknown flag, a bad value or a missing --run
 */
export function parseEvaluateArgs(argv: readonly string[]): EvaluateArgs {
  let parsed: ReturnType<typeof parseEvaluateRaw>;
  try {
    parsed = parseEvaluateRaw(argv);
  } catch (e) {
    throw new CliError(`evaluate: ${(e as Error).message.replace(/\. To specify a positional argument.*$/s, '')} (see evaluate --help)`);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (parsed.positionals.length > 0) throw new CliError(`evaluate: unexpected argument "${parsed.positionals[0]}" (see evaluate --help)`);
  const help = v.help === true;
  const run = typeof v.run === 'string' ? v.run : undefined;
  if (!help && (run === undefined || run.trim() === '')) throw new CliError('evaluate --run: required, a run folder (e.g. results/study/new_l1-0_l2-0_seed-0)');
  const passed = evaluateDataFlags.flatMap((f) => (typeof v[f] === 'string' ? [`--${f}`, v[f]] : []));
  const batchSize = positiveInt('batch-size', typeof v['batch-size'] === 'string' ? v['batch-size'] : undefined);
  return {
    help,
    run: run ?? '',
    which: oneOf('which', typeof v.which === 'string' ? v.which : undefined, keptWhichNames) ?? 'best',
    ...(batchSize !== undefined ? { batchSize } : {}),
    cli: parseCliArgs(passed),
  };
}

function parseEvaluateRaw(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      run: { type: 'string' },
      which: { type: 'string' },
      'batch-size': { type: 'string' },
      ...Object.fromEntries(evaluateDataFlags.map((f) => [f, { type: 'string' as const }])),
    },
  });
}
