import { z } from 'zod';
import { IMAGE_BYTES } from './layout';
import type { SplitName, TinyImageNetSplit } from './split';

/** Identifies a prepared-cache manifest. */
export const CACHE_FORMAT = 'regstudy-tinyimagenet-cache';
/**
 * Bumped whenever the cache layout changes; an older cache is re-prepared. Version 2 added the
 * manifest's `skippedImages` and `unannotatedVal` lists.
 */
export const CACHE_VERSION = 2;

const manifestSchema = z.object({
  format: z.literal(CACHE_FORMAT),
  version: z.number().int(),
  name: z.string(),
  split: z.enum(['train', 'val']),
  imageSize: z.literal(64),
  channels: z.literal(3),
  layout: z.literal('NHWC'),
  count: z.number().int().min(0),
  skipped: z.number().int().min(0),
  /** Every image left out as undecodable (`skipBadImages: true`), with the decoder's message. */
  skippedImages: z.array(z.object({ path: z.string(), reason: z.string() })),
  /** Every val image on disk without a line in val_annotations.txt (left out: no label). */
  unannotatedVal: z.array(z.string()),
  classes: z.array(z.object({ wnid: z.string(), words: z.string() })),
  selection: z.object({ classes: z.union([z.number(), z.array(z.string()), z.null()]), perClass: z.number().nullable() }),
  source: z.object({ kind: z.enum(['folder', 'zip']), location: z.string(), fingerprint: z.string() }),
  files: z.object({
    images: z.object({ name: z.string(), bytes: z.number().int(), dtype: z.literal('uint8') }),
    labels: z.object({ name: z.string(), bytes: z.number().int(), dtype: z.literal('int32'), endianness: z.literal('LE') }),
  }),
  createdAt: z.string(),
});

/**
 * The JSON manifest of a prepared split, `<name>.json` in the cache folder. The two binary files
 * it names hold `count*64*64*3` bytes of uint8 NHWC RGB images and `count` little-endian int32
 * labels. File names carry a random id so a new preparation never overwrites files that the
 * current manifest points at: the manifest is renamed into place last.
 */
export type CacheManifest = z.infer<typeof manifestSchema>;

/** Parses a manifest; returns an error message instead when it is not a usable manifest. */
export function parseManifest(json: unknown, version = CACHE_VERSION): CacheManifest | string {
  const r = manifestSchema.safeParse(json);
  if (!r.success) return `not a ${CACHE_FORMAT} manifest: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
  if (r.data.version !== version) return `cache format version ${r.data.version}, this package reads version ${version}`;
  return r.data;
}

/** The cache name of a selection: `train`, `val`, `train-10c-100pc`, `val-w1a2b3c4d-all`... */
export function cacheName(split: SplitName, classes: number | string[] | undefined, perClass: number | undefined): string {
  if (classes === undefined && perClass === undefined) return split;
  let c = 'all';
  if (typeof classes === 'number') c = `${classes}c`;
  else if (Array.isArray(classes)) {
    let h = 0x811c9dc5; // FNV-1a 32-bit over the sorted, joined wnids
    for (const ch of [...new Set(classes)].sort().join(',')) {
      h ^= ch.charCodeAt(0);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    c = `w${h.toString(16).padStart(8, '0')}`;
  }
  return `${split}-${c}-${perClass === undefined ? 'all' : `${perClass}pc`}`;
}

/** Little-endian int32 labels from raw bytes (copied, so alignment and endianness are safe). */
export function labelsFromBytes(bytes: Uint8Array, count: number): Int32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = dv.getInt32(4 * i, true);
  return out;
}

/** Builds the in-memory split from a manifest and the two files' bytes, checking their sizes. */
export function splitFromCache(m: CacheManifest, images: Uint8Array, labelBytes: Uint8Array, where: string): TinyImageNetSplit {
  if (images.byteLength !== m.count * IMAGE_BYTES) {
    throw new Error(`${where}: ${m.files.images.name} has ${images.byteLength} bytes, the manifest says ${m.count} images = ${m.count * IMAGE_BYTES} bytes`);
  }
  if (labelBytes.byteLength !== m.count * 4) {
    throw new Error(`${where}: ${m.files.labels.name} has ${labelBytes.byteLength} bytes, expected ${m.count * 4}`);
  }
  const labels = labelsFromBytes(labelBytes, m.count);
  for (let i = 0; i < m.count; i++) {
    const l = labels[i]!;
    if (l < 0 || l >= m.classes.length) throw new Error(`${where}: label ${l} of image ${i} is outside 0..${m.classes.length - 1}`);
  }
  return {
    images,
    labels,
    classes: m.classes,
    count: m.count,
    split: m.split,
    imageSize: 64,
    skipped: m.skipped,
    skippedImages: m.skippedImages,
    unannotatedVal: m.unannotatedVal,
  };
}
