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
 * Makes the data of a plan available and loads both splits: the synthetic twin (written once)
 * or the real Tiny-ImageNet (folder, zip, or URL downloaded once), decoded into the cache once
 * (`<cache>/prepared`) and read from there afterwards.
 */
export async function prepareData(plan: StudyPlan, log: DataProgress, signal?: AbortSignal): Promise<PreparedData> {
  const data = plan.data;
  let source: string;
  if (data.kind === 'synthetic') source = await syntheticSource(data, log, signal);
  else if (/^https?:\/\//i.test(data.source)) source = await downloadedSource(data.source, data.sha256, plan.cacheDir, log, signal);
  else source = data.source;
  const cacheDir = join(plan.cacheDir, 'prepared');
  const common = {
    source,
    cacheDir,
    ...(data.classes !== undefined ? { classes: data.classes } : {}),
    ...(log.progress ? { onProgress: log.progress } : {}),
    ...(signal ? { signal } : {}),
  };
  const trainPer = data.trainPerClass;
  const valPer = data.valPerClass;
  const train = await loadTinyImageNet({ ...common, split: 'train', ...(trainPer !== undefined ? { perClass: trainPer } : {}) });
  const val = await loadTinyImageNet({ ...common, split: 'val', ...(valPer !== undefined ? { perClass: valPer } : {}) });
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
