import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { download, loadTinyImageNet, writeSyntheticTinyImageNet, type Progress, type TinyImageNetSplit } from '@regstudy/tinyimagenet';
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

/** Progress messages of the data step (one line each) and phase progress. */
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

/** Downloads a URL into `<cache>/downloads/` once (the download resumes a `.part` file). */
async function downloadedSource(url: string, cacheDir: string, log: DataProgress, signal?: AbortSignal): Promise<string> {
  const name = basename(new URL(url).pathname) || 'tiny-imagenet-200.zip';
  const dest = join(cacheDir, 'downloads', name);
  if (existsSync(dest)) {
    log.note(`data: ${url} already downloaded to ${dest}`);
    return dest;
  }
  log.note(`data: downloading ${url} to ${dest}`);
  await download(dest, { url, ...(log.progress ? { onProgress: log.progress } : {}), ...(signal ? { signal } : {}) });
  return dest;
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
  const train = await loadTinyImageNet({ ...common, split: 'train', ...(trainPer !== undefined ? { perClass: trainPer } : {}) });
  const val = await loadValSplit(plan, common);
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
  return loadValSplit(plan, await loadCommon(plan, log, signal));
}

type LoadCommon = Omit<Parameters<typeof loadTinyImageNet>[0], 'split' | 'perClass'> & { source: string };

/** The data source (written or downloaded once) and the loader options both splits share. */
async function loadCommon(plan: StudyPlan, log: DataProgress, signal?: AbortSignal): Promise<LoadCommon> {
  const data = plan.data;
  let source: string;
  if (data.kind === 'synthetic') source = await syntheticSource(data, log, signal);
  else if (/^https?:\/\//i.test(data.source)) source = await downloadedSource(data.source, plan.cacheDir, log, signal);
  else source = data.source;
  return {
    source,
    cacheDir: join(plan.cacheDir, 'prepared'),
    ...(data.classes !== undefined ? { classes: data.classes } : {}),
    ...(log.progress ? { onProgress: log.progress } : {}),
    ...(signal ? { signal } : {}),
  };
}

function loadValSplit(plan: StudyPlan, common: LoadCommon): Promise<TinyImageNetSplit> {
  const valPer = plan.data.valPerClass;
  return loadTinyImageNet({ ...common, split: 'val', ...(valPer !== undefined ? { perClass: valPer } : {}) });
}
