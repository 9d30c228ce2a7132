import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CACHE_FORMAT, CACHE_VERSION, parseManifest, splitFromCache, type CacheManifest } from './cache-format';
import type { DatasetSource } from './source';
import type { Progress, TinyImageNetSplit } from './split';
import { writeAtomic } from './write-atomic';

/** Reads `<dir>/<name>.json`; undefined when absent, else the manifest or why it is unusable. */
export async function readManifest(dir: string, name: string): Promise<CacheManifest | string | undefined> {
  const text = await readFile(join(dir, `${name}.json`), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return parseManifest(JSON.parse(text));
  } catch (e) {
    return `invalid JSON: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** Loads a prepared split: one read per binary file. */
export async function loadCache(dir: string, m: CacheManifest): Promise<TinyImageNetSplit> {
  const [img, lab] = await Promise.all([readFile(join(dir, m.files.images.name)), readFile(join(dir, m.files.labels.name))]);
  return splitFromCache(m, new Uint8Array(img.buffer, img.byteOffset, img.byteLength), lab, join(dir, `${m.name}.json`));
}

/**
 * Writes a split into `dir` as `<name>.<id>.images.bin`, `<name>.<id>.labels.bin` and, last,
 * `<name>.json` (each via a temporary file and rename). An interruption at any point leaves the
 * previous manifest and its files intact; files of a replaced manifest are deleted afterwards.
 */
export async function writeCache(
  dir: string,
  name: string,
  data: TinyImageNetSplit,
  meta: { selection: CacheManifest['selection']; source: DatasetSource; fingerprint: string },
  onProgress?: (p: Progress) => void,
  signal?: AbortSignal,
): Promise<CacheManifest> {
  await mkdir(dir, { recursive: true });
  const previous = await readManifest(dir, name);
  const id = randomBytes(4).toString('hex');
  const imagesName = `${name}.${id}.images.bin`;
  const labelsName = `${name}.${id}.labels.bin`;
  const labelBytes = new Uint8Array(data.count * 4);
  const dv = new DataView(labelBytes.buffer);
  for (let i = 0; i < data.count; i++) dv.setInt32(4 * i, data.labels[i]!, true);
  const total = data.images.byteLength + labelBytes.byteLength;
  try {
    await writeAtomic(join(dir, imagesName), data.images, (b) => onProgress?.({ phase: 'write', done: b, total }), signal);
    await writeAtomic(join(dir, labelsName), labelBytes, undefined, signal);
    const manifest: CacheManifest = {
      format: CACHE_FORMAT,
      version: CACHE_VERSION,
      name,
      split: data.split,
      imageSize: 64,
      channels: 3,
      layout: 'NHWC',
      count: data.count,
      skipped: data.skipped,
      skippedImages: data.skippedImages,
      unannotatedVal: data.unannotatedVal,
      classes: data.classes,
      selection: meta.selection,
      source: { kind: meta.source.kind, location: meta.source.location, fingerprint: meta.fingerprint },
      files: {
        images: { name: imagesName, bytes: data.images.byteLength, dtype: 'uint8' },
        labels: { name: labelsName, bytes: labelBytes.byteLength, dtype: 'int32', endianness: 'LE' },
      },
      createdAt: new Date().toISOString(),
    };
    await writeAtomic(join(dir, `${name}.json`), new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`), undefined, signal);
    onProgress?.({ phase: 'write', done: total, total });
    if (typeof previous === 'object') {
      await rm(join(dir, previous.files.images.name), { force: true });
      await rm(join(dir, previous.files.labels.name), { force: true });
    }
    return manifest;
  } catch (e) {
    await rm(join(dir, imagesName), { force: true });
    await rm(join(dir, labelsName), { force: true });
    throw e;
  }
}
