import { OptionsError, describeValue } from '@regstudy/options';
import { TinyImageNetError, throwIfAborted } from './errors';
import { availableParallelism } from 'node:os';
import { decodeInto } from './decode';
import { DecodePool, JOB_IMAGES, type DecodeJobResult } from './decode-pool';
import {
  IMAGE_BYTES,
  compareCodeUnits,
  compareImageNames,
  parseValAnnotations,
  parseWnids,
  parseWords,
  type ClassInfo,
} from './layout';
import type { DatasetSource } from './source';
import type { Progress, SkippedImage, SplitName, TinyImageNetSplit } from './split';

/** Which part of the data set to read. */
export interface Selection {
  split: SplitName;
  /** First N classes in sorted-wnid order, or an explicit list of wnids. Default: all. */
  classes?: number | string[] | undefined;
  /** At most this many images per class (the first ones in file order). Default: all. */
  perClass?: number | undefined;
}

export interface ReadOptions extends Selection {
  skipBadImages?: boolean | undefined;
  concurrency?: number | undefined;
  /** Decode worker threads; default one per core (at most libuv's pool size) for 1,000+ images, else 0. */
  threads?: number | undefined;
  onProgress?: ((p: Progress) => void) | undefined;
  signal?: AbortSignal | undefined;
}

const JPEG_RE = /\.jpe?g$/i;

/**
 * Reads wnids.txt and words.txt and resolves the class selection. Label order is the sorted
 * (code-unit order) wnid list, exactly like torchvision's ImageFolder over train/ (which sorts
 * folder names), so label k means the same class for train and val and for a PyTorch model.
 */
export async function resolveClasses(
  src: DatasetSource,
  classes: number | string[] | undefined,
  where = 'loadTinyImageNet()',
): Promise<{ all: string[]; selected: ClassInfo[] }> {
  if (!(await src.exists('wnids.txt'))) throw new TinyImageNetError('missing wnids.txt', { file: src.describe('wnids.txt') });
  const all = parseWnids((await src.read('wnids.txt')).toString('utf8'), src.describe('wnids.txt'));
  const words = (await src.exists('words.txt')) ? parseWords((await src.read('words.txt')).toString('utf8'), src.describe('words.txt')) : new Map<string, string>();
  const sorted = [...all].sort(compareCodeUnits);
  let chosen: string[];
  if (classes === undefined) chosen = sorted;
  else if (typeof classes === 'number') {
    if (classes > sorted.length) {
      throw new OptionsError(where, { option: 'classes', message: `expected at most ${sorted.length} (the classes ${src.describe('wnids.txt')} lists), got ${classes}` });
    }
    chosen = sorted.slice(0, classes);
  } else {
    const known = new Set(all);
    // Named as 'classes', not 'classes.<i>': loadTinyImageNet sorts the list before it gets here.
    for (const w of classes) {
      if (!known.has(w)) throw new OptionsError(where, { option: 'classes', message: `expected wnids listed in ${src.describe('wnids.txt')}, got ${describeValue(w)}` });
    }
    chosen = [...new Set(classes)].sort(compareCodeUnits);
  }
  return { all, selected: chosen.map((wnid) => ({ wnid, words: words.get(wnid) ?? '' })) };
}

function reasonOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

interface Item {
  path: string;
  label: number;
}

async function listTrain(src: DatasetSource, all: string[], selected: ClassInfo[], perClass: number | undefined): Promise<Item[]> {
  const known = new Set(all);
  const folders = await src.list('train');
  if (folders.length === 0) throw new TinyImageNetError('missing train/ folder', { file: src.describe('train') });
  for (const f of folders) {
    if (!known.has(f)) throw new TinyImageNetError(`train folder '${f}' is not listed in wnids.txt`, { file: src.describe(`train/${f}`) });
  }
  const lists = await Promise.all(
    selected.map(async ({ wnid }) => {
      const names = (await src.list(`train/${wnid}/images`)).filter((n) => JPEG_RE.test(n));
      if (names.length === 0) throw new TinyImageNetError(`no images for class ${wnid}`, { file: src.describe(`train/${wnid}/images`) });
      return names.sort(compareImageNames).slice(0, perClass ?? names.length);
    }),
  );
  const items: Item[] = [];
  lists.forEach((names, label) => {
    for (const n of names) items.push({ path: `train/${selected[label]!.wnid}/images/${n}`, label });
  });
  return items;
}

/** The val items of the selection, and the val images on disk without an annotation line. */
async function listVal(src: DatasetSource, all: string[], selected: ClassInfo[], perClass: number | undefined): Promise<{ items: Item[]; unannotated: string[] }> {
  const file = 'val/val_annotations.txt';
  if (!(await src.exists(file))) throw new TinyImageNetError('missing val annotations', { file: src.describe(file) });
  const ann = parseValAnnotations((await src.read(file)).toString('utf8'), new Set(all), src.describe(file));
  const labelOf = new Map(selected.map((c, i) => [c.wnid, i]));
  const taken = new Array<number>(selected.length).fill(0);
  const items: Item[] = [];
  for (const a of ann) {
    const label = labelOf.get(a.wnid);
    if (label === undefined) continue;
    if (perClass !== undefined && taken[label]! >= perClass) continue;
    taken[label]!++;
    items.push({ path: `val/images/${a.file}`, label });
  }
  const annotated = new Set(ann.map((a) => a.file));
  const unannotated = (await src.list('val/images'))
    .filter((n) => JPEG_RE.test(n) && !annotated.has(n))
    .sort(compareImageNames)
    .map((n) => `val/images/${n}`);
  return { items, unannotated };
}

/**
 * Reads and decodes one split of a folder or zip source into memory (see TinyImageNetSplit).
 * A corrupt image is an error naming the file, unless `skipBadImages` (then it is left out
 * and listed in `skippedImages`). Val images without an annotation line are listed in `unannotatedVal`.
 */
export async function readSplit(src: DatasetSource, o: ReadOptions): Promise<TinyImageNetSplit> {
  const { all, selected } = await resolveClasses(src, o.classes);
  const listed = o.split === 'train' ? { items: await listTrain(src, all, selected, o.perClass), unannotated: [] } : await listVal(src, all, selected, o.perClass);
  const items = listed.items;
  const n = items.length;
  o.onProgress?.({ phase: 'scan', done: n, total: n });
  const images = new Uint8Array(n * IMAGE_BYTES);
  const ok = new Uint8Array(n);
  let next = 0;
  let done = 0;
  const skippedAt: { index: number; reason: string }[] = [];
  let failure: unknown;
  const step = Math.max(1, Math.floor(n / 200));
  const decodeError = (item: Item, e: unknown): TinyImageNetError =>
    new TinyImageNetError(`cannot decode image (${reasonOf(e)}); pass skipBadImages: true to skip bad images`, {
      file: src.describe(item.path),
      cause: e,
      code: 'ERR_BAD_IMAGE',
    });
  const decodeHere = async (i: number): Promise<void> => {
    const item = items[i]!;
    const data = await src.read(item.path);
    try {
      await decodeInto(data, images, i * IMAGE_BYTES);
      ok[i] = 1;
    } catch (e) {
      if (!o.skipBadImages) throw decodeError(item, e);
      skippedAt.push({ index: i, reason: reasonOf(e) });
    }
  };
  // libvips work runs on libuv's thread pool (UV_THREADPOOL_SIZE, default 4), shared by all workers:
  // more workers than pool threads would only add idle event loops.
  const poolSize = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  const threads = o.threads ?? (n >= 1000 ? Math.min(availableParallelism(), poolSize) : 0);
  if (threads > 0) {
    // Worker threads: the JS side of sharp (building and marshalling each pipeline) costs about as
    // much CPU as libvips' decode of a 64x64 JPEG, so a single event loop cannot keep 2+ cores busy.
    const inFlight = Math.max(1, Math.ceil((o.concurrency ?? 16) / threads));
    const pool = new DecodePool(threads, inFlight);
    const jobs = Math.ceil(n / JOB_IMAGES);
    let nextJob = 0;
    const finish = async (start: number, r: DecodeJobResult): Promise<void> => {
      images.set(r.pixels, start * IMAGE_BYTES);
      for (let k = 0; k < r.status.length; k++) {
        const s = r.status[k] ?? null;
        const i = start + k;
        if (s === null) ok[i] = 1;
        else if (s === 'read') await decodeHere(i);
        else {
          const e = new Error(s.error);
          if (!o.skipBadImages) throw decodeError(items[i]!, e);
          skippedAt.push({ index: i, reason: s.error });
        }
      }
      done += r.status.length;
      if (Math.floor(done / step) !== Math.floor((done - r.status.length) / step) || done === n) o.onProgress?.({ phase: 'decode', done, total: n });
    };
    const feeder = async (): Promise<void> => {
      while (nextJob < jobs && failure === undefined) {
        const start = nextJob++ * JOB_IMAGES;
        const slice = items.slice(start, Math.min(n, start + JOB_IMAGES));
        try {
          throwIfAborted(o.signal);
          const filePath = src.filePath?.bind(src);
          const r = filePath
            ? await pool.run({ paths: slice.map((it) => filePath(it.path)) })
            : await pool.run({ data: await Promise.all(slice.map((it) => src.read(it.path))) });
          await finish(start, r);
        } catch (e) {
          failure ??= e;
          return;
        }
      }
    };
    try {
      // Two jobs per worker: one decoding, one queued (or being read from a zip).
      await Promise.all(Array.from({ length: 2 * threads }, feeder));
    } finally {
      await pool.close();
    }
  } else {
    const worker = async (): Promise<void> => {
      while (next < n && failure === undefined) {
        const i = next++;
        try {
          throwIfAborted(o.signal);
          await decodeHere(i);
        } catch (e) {
          failure ??= e;
          return;
        }
        done++;
        if (done % step === 0 || done === n) o.onProgress?.({ phase: 'decode', done, total: n });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 16) }, worker));
  }
  if (failure !== undefined) throw failure;
  const skipped = skippedAt.length;
  const skippedImages: SkippedImage[] = skippedAt.sort((a, b) => a.index - b.index).map((s) => ({ path: items[s.index]!.path, reason: s.reason }));
  let count = n;
  let out = images;
  const labels = new Int32Array(n);
  items.forEach((it, i) => (labels[i] = it.label));
  if (skipped > 0) {
    count = 0;
    for (let i = 0; i < n; i++) {
      if (!ok[i]) continue;
      if (count !== i) images.copyWithin(count * IMAGE_BYTES, i * IMAGE_BYTES, (i + 1) * IMAGE_BYTES);
      labels[count] = labels[i]!;
      count++;
    }
    out = images.subarray(0, count * IMAGE_BYTES);
  }
  return { images: out, labels: skipped > 0 ? labels.slice(0, count) : labels, classes: selected, count, split: o.split, imageSize: 64, skipped, skippedImages, unannotatedVal: listed.unannotated };
}
