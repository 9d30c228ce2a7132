import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  download,
  inspectTinyImageNet,
  loadTinyImageNet,
  OptionsError,
  TinyImageNetError,
  writeSyntheticTinyImageNet,
  type LoadWarning,
  type Progress,
  type TinyImageNetSplit,
} from '@regstudy/tinyimagenet';
import { CliError } from '../cli/args';
import type { DataPlan, StudyPlan } from '../cli/plan';

/** What the report says about the data. */
export interface DataDescription {
  kind: 'synthetic' | 'tiny-imagenet';
  /** Folder, zip or URL the images came from. */
  source: string;
  classes: number;
  trainCount: number;
  valCount: number;
  imageSize: number;
}

export interface PreparedData {
  train: TinyImageNetSplit;
  val: TinyImageNetSplit;
  description: DataDescription;
}

/** Progress messages of the data step (one line each; warnings start with `warning: `) and phase progress. */
export interface DataProgress {
  note(text: string): void;
  progress?(p: Progress): void;
}

/**
 * Writes the synthetic twin into the cache once (its folder name encodes its size and seed), and
 * returns the `tiny-imagenet-200` folder.
 */
async function syntheticSource(data: Extract<DataPlan, { kind: 'synthetic' }>, log: DataProgress, signal?: AbortSignal): Promise<string> {
  const root = join(data.dir, 'tiny-imagenet-200');
  if (existsSync(join(root, 'wnids.txt'))) {
    log.note(`data: synthetic Tiny-ImageNet twin in ${root} (cached)`);
    return root;
  }
  log.note(`data: writing a synthetic Tiny-ImageNet twin (${data.classes} classes, ${data.trainPerClass} train + ${data.valPerClass} val images each) to ${root}`);
  await writeSyntheticTinyImageNet(data.dir, {
    classes: data.classes,
    trainPerClass: data.trainPerClass,
    valPerClass: data.valPerClass,
    seed: data.seed,
    overwrite: true,
    ...(signal ? { signal } : {}),
  });
  return root;
}

/**
 * Downloads a URL into `<cache>/downloads/` once (the download resumes a `.part` file, retries a
 * stalled attempt and restarts when the file changed on the server). The zip is checked against
 * `sha256` when given, else against the SHA-256 recorded next to it at the first download.
 */
async function downloadedSource(url: string, sha256: string | undefined, cacheDir: string, log: DataProgress, signal?: AbortSignal): Promise<string> {
  const name = basename(new URL(url).pathname) || 'tiny-imagenet-200.zip';
  const dest = join(cacheDir, 'downloads', name);
  const had = existsSync(dest);
  log.note(had ? `data: ${url} already downloaded to ${dest} (checking its sha256)` : `data: downloading ${url} to ${dest}`);
  const r = await download(dest, {
    url,
    ...(sha256 !== undefined ? { sha256 } : {}),
    ...(log.progress ? { onProgress: log.progress } : {}),
    onRetry: (x) => log.note(`data: ${x.error.message}; retry ${x.attempt}/${x.retries} in ${(x.delayMs / 1000).toFixed(1)} s`),
    ...(signal ? { signal } : {}),
  });
  if (!had && sha256 === undefined) log.note(`data: sha256 ${r.sha256} recorded in ${r.sha256File} (no checksum is published; later runs check this one)`);
  return dest;
}

/**
 * The loader's errors that name an API option, reworded with the flag to pass: too many classes
 * for the data (saying whether `--classes` or the preset asked for them), and an undecodable image
 * (`--skip-bad-images`). Other errors are returned as they are.
 */
async function inCliWords(e: unknown, data: DataPlan, source: string, preset: string): Promise<unknown> {
  if (e instanceof OptionsError && e.option === 'classes' && data.kind === 'tiny-imagenet' && data.classes !== undefined) {
    const has = await inspectTinyImageNet(source).then(
      (info) => info.classes.length,
      () => undefined,
    );
    const fix = has === undefined ? '' : `; the data has ${has}: pass --classes ${has} or less`;
    const asked = data.classesFrom === 'preset' ? `--preset ${preset} sets --classes ${data.classes}` : `--classes ${data.classes}`;
    return new CliError(`${asked}${has === undefined ? `: more classes than ${data.source} has` : fix}`);
  }
  if (e instanceof TinyImageNetError && e.code === 'ERR_BAD_IMAGE') {
    const why = e.cause instanceof Error ? e.cause.message : String(e.cause);
    return new Error(`${e.file ?? 'an image'}: cannot decode image (${why}); pass --skip-bad-images to leave undecodable images out (each is named in a warning)`, {
      cause: e,
    });
  }
  return e;
}

/**
 * Makes the data of a plan available and loads both splits: the synthetic twin (written once)
 * or the real Tiny-ImageNet (folder, zip, or URL downloaded once), decoded into the cache once
 * (`<cache>/prepared`) and read from there afterwards.
 */
export async function prepareData(plan: StudyPlan, log: DataProgress, signal?: AbortSignal): Promise<PreparedData> {
  const data = plan.data;
  const common = await loadCommon(plan, log, signal);
  const source = common.source;
  const trainPer = data.trainPerClass;
  let train: TinyImageNetSplit;
  let val: TinyImageNetSplit;
  try {
    train = await loadTinyImageNet({ ...common, split: 'train', ...(trainPer !== undefined ? { perClass: trainPer } : {}) });
    val = await loadValSplit(plan, common);
  } catch (e) {
    throw await inCliWords(e, data, source, plan.preset);
  }
  const description: DataDescription = {
    kind: data.kind,
    source: data.kind === 'synthetic' ? source : data.source,
    classes: train.classes.length,
    trainCount: train.count,
    valCount: val.count,
    imageSize: train.imageSize,
  };
  log.note(`data: ${description.classes} classes, ${description.trainCount} train and ${description.valCount} val images of ${description.imageSize}x${description.imageSize}`);
  return { train, val, description };
}

/**
 * Only the validation split of a plan's data, prepared as {@link prepareData} does (the same
 * classes and images a run of that plan validated on).
 */
export async function prepareValSplit(plan: StudyPlan, log: DataProgress, signal?: AbortSignal): Promise<TinyImageNetSplit> {
  const common = await loadCommon(plan, log, signal);
  try {
    return await loadValSplit(plan, common);
  } catch (e) {
    throw await inCliWords(e, plan.data, common.source, plan.preset);
  }
}

type LoadCommon = Omit<Parameters<typeof loadTinyImageNet>[0], 'split' | 'perClass'> & { source: string };

/** The data source (written or downloaded once) and the loader options both splits share. */
async function loadCommon(plan: StudyPlan, log: DataProgress, signal?: AbortSignal): Promise<LoadCommon> {
  const data = plan.data;
  let source: string;
  if (data.kind === 'synthetic') source = await syntheticSource(data, log, signal);
  else if (/^https?:\/\//i.test(data.source)) source = await downloadedSource(data.source, data.sha256, plan.cacheDir, log, signal);
  else source = data.source;
  return {
    source,
    cacheDir: join(plan.cacheDir, 'prepared'),
    ...(data.classes !== undefined ? { classes: data.classes } : {}),
    skipBadImages: data.kind === 'tiny-imagenet' && data.skipBadImages,
    ...(log.progress ? { onProgress: log.progress } : {}),
    onWarning: (w: LoadWarning) => log.note(`warning: ${w.message}`),
    ...(signal ? { signal } : {}),
  };
}

function loadValSplit(plan: StudyPlan, common: LoadCommon): Promise<TinyImageNetSplit> {
  const valPer = plan.data.valPerClass;
  return loadTinyImageNet({ ...common, split: 'val', ...(valPer !== undefined ? { perClass: valPer } : {}) });
}
