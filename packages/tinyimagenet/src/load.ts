import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { cacheName, parseManifest, type CacheManifest } from './cache-format';
import { loadCache, readManifest, writeCache } from './cache';
import { dropWarnings } from './drop-warnings';
import { TinyImageNetError } from './errors';
import { compareCodeUnits } from './layout';
import { expectedValue, parseOptions } from './options';
import { readSplit } from './read-split';
import { openSource, sourceFingerprint } from './source';
import type { LoadWarning, Progress, SplitName, TinyImageNetSplit } from './split';

const schema = z.object({
  source: z.string().min(1),
  split: z.enum(['train', 'val']),
  classes: z.union([z.number().int().min(1), z.array(z.string().regex(/^n\d{8}$/, { error: expectedValue('a wnid like n01443537') })).min(1)]).optional(),
  perClass: z.number().int().min(1).optional(),
  cacheDir: z.string().min(1).optional(),
  force: z.boolean().default(false),
  skipBadImages: z.boolean().default(false),
  concurrency: z.number().int().min(1).max(256).default(16),
  threads: z.number().int().min(0).max(64).optional(),
  onProgress: z.custom<(p: Progress) => void>((v) => typeof v === 'function').optional(),
  onWarning: z.custom<(w: LoadWarning) => void>((v) => typeof v === 'function').optional(),
  signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal).optional(),
});

/** Options of {@link loadTinyImageNet}. */
export interface LoadOptions {
  /**
   * The data set: an extracted folder (the one holding wnids.txt, or its parent), the official
   * zip (read in place, streamed), or a prepared cache (a `<name>.json` manifest, or a folder
   * holding one for this split and selection).
   */
  source: string;
  split: SplitName;
  /** First N classes in label order (sorted wnids), or a list of wnids. Default: all. */
  classes?: number | string[];
  /** At most this many images per class (the first in file order). Default: all. */
  perClass?: number;
  /**
   * Prepare once into this folder and load from it afterwards. The cache is re-prepared when
   * the source fingerprint, the selection or the cache format version changed.
   */
  cacheDir?: string;
  /** Re-prepare even when the cache is up to date. */
  force?: boolean;
  /**
   * Leave undecodable images out instead of failing (listed in `skippedImages`, in the cache
   * manifest, and reported through `onWarning`). Default false.
   */
  skipBadImages?: boolean;
  /** Images decoded concurrently (libvips runs them on libuv's thread pool). Default 16. */
  concurrency?: number;
  /**
   * Worker threads that decode in parallel (each runs sharp; libvips work still goes to libuv's
   * thread pool). Default: one per CPU core (at most UV_THREADPOOL_SIZE, default 4) when 1,000 or more images are decoded, else 0
   * (decode on the calling thread). The decoded bytes are the same either way.
   */
  threads?: number;
  onProgress?: (p: Progress) => void;
  /**
   * Called once per kind of image left out, after the split is loaded (also when it comes from
   * a cache): val images on disk without a line in val_annotations.txt, and undecodable images
   * skipped under `skipBadImages`. Each warning gives the count, the first 5 paths and a one-line
   * message; the full lists are the split's (and the cache manifest's) `unannotatedVal` and
   * `skippedImages`. Default: none (the lists are still returned).
   */
  onWarning?: (w: LoadWarning) => void;
  signal?: AbortSignal;
}

async function loadManifestFile(path: string): Promise<TinyImageNetSplit> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new TinyImageNetError(`cannot read cache manifest: ${e instanceof Error ? e.message : String(e)}`, { file: path });
  }
  const m = parseManifest(json);
  if (typeof m === 'string') throw new TinyImageNetError(m, { file: path });
  return loadCache(dirname(path), m);
}

/** The `onWarning` calls for what `data` left out; returns `data`. */
function reported(data: TinyImageNetSplit, source: string, manifest: string | undefined, onWarning: ((w: LoadWarning) => void) | undefined): TinyImageNetSplit {
  if (onWarning) for (const w of dropWarnings(data, { source, listedIn: manifest })) onWarning(w);
  return data;
}

function sameSelection(m: CacheManifest, classes: number | string[] | undefined, perClass: number | undefined): boolean {
  return JSON.stringify(m.selection) === JSON.stringify({ classes: classes ?? null, perClass: perClass ?? null });
}

/**
 * Loads one split of Tiny-ImageNet as uint8 NHWC RGB images and int32 labels.
 *
 * Label order: label k is the k-th of the selected wnids in sorted (code-unit) order. This is
 * what the paper's PyTorch code got from torchvision's ImageFolder (which sorts the train/
 * folder names) and it is the same for train and val, so val labels mean the same classes.
 * A class subset (`classes`) is remapped to 0..N-1 in the same sorted order.
 *
 * With `cacheDir`, the first call decodes the source and writes a cache; later calls do a single
 * read of the cached files unless the source changed (fingerprint: see openSource).
 */
export async function loadTinyImageNet(options: LoadOptions): Promise<TinyImageNetSplit> {
  const o = parseOptions(schema, options, 'loadTinyImageNet()');
  // The same wnids in any order are the same selection (labels follow sorted order anyway).
  if (Array.isArray(o.classes)) o.classes = [...new Set(o.classes)].sort(compareCodeUnits);
  const name = cacheName(o.split, o.classes, o.perClass);
  const st = await stat(o.source).catch(() => undefined);
  if (!st) throw new TinyImageNetError('no such file or folder', { file: o.source });
  // A prepared cache given as the source.
  if (st.isFile() && o.source.endsWith('.json')) return reported(await loadManifestFile(o.source), o.source, o.source, o.onWarning);
  if (st.isDirectory() && !o.cacheDir) {
    const m = await readManifest(o.source, name);
    if (typeof m === 'object') return reported(await loadCache(o.source, m), m.source.location, join(o.source, `${name}.json`), o.onWarning);
  }
  // Check the cache before opening the source: opening a 120k-entry zip costs seconds.
  const fingerprint = await sourceFingerprint(o.source);
  if (o.cacheDir && !o.force) {
    const m = await readManifest(o.cacheDir, name);
    if (typeof m === 'object' && m.source.fingerprint === fingerprint && sameSelection(m, o.classes, o.perClass)) {
      let cached: TinyImageNetSplit | undefined;
      try {
        cached = await loadCache(o.cacheDir, m);
      } catch {
        // A damaged cache (e.g. a deleted .bin): fall through and prepare it again.
      }
      if (cached) return reported(cached, o.source, join(o.cacheDir, `${name}.json`), o.onWarning);
    }
  }
  const src = await openSource(o.source);
  try {
    const data = await readSplit(src, o);
    if (o.cacheDir) {
      await writeCache(
        o.cacheDir,
        name,
        data,
        { selection: { classes: o.classes ?? null, perClass: o.perClass ?? null }, source: src, fingerprint },
        o.onProgress,
        o.signal,
      );
    }
    return reported(data, o.source, o.cacheDir ? join(o.cacheDir, `${name}.json`) : undefined, o.onWarning);
  } finally {
    await src.close();
  }
}

/** Path of the manifest that `loadTinyImageNet` with these options writes in `cacheDir`. */
export function cacheManifestPath(cacheDir: string, split: SplitName, classes?: number | string[], perClass?: number): string {
  return join(cacheDir, `${cacheName(split, classes, perClass)}.json`);
}

