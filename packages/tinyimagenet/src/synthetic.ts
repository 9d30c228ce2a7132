import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { throwIfAborted } from './errors';
import { IMAGE_SIZE, ROOT_FOLDER, compareCodeUnits, type ClassInfo } from './layout';
import { OptionsError } from '@regstudy/options';
import { parseOptions } from './options';
import { mixSeed, mulberry32, shuffleInPlace } from './prng';
import { classStyle, drawGeometry, renderImage, toGray } from './synthetic-pixels';
import { ZipWriter } from './zip-writer';

const schema = z.object({
  classes: z.number().int().min(1).max(1000),
  trainPerClass: z.number().int().min(0),
  valPerClass: z.number().int().min(0),
  testCount: z.number().int().min(0).default(0),
  seed: z.number().int().default(0),
  zip: z.boolean().default(false),
  folder: z.boolean().default(true),
  grayscaleFraction: z.number().min(0).max(1).default(0.02),
  quality: z.number().int().min(1).max(100).default(85),
  overwrite: z.boolean().default(false),
  onProgress: z.custom<(p: { done: number; total: number }) => void>((v) => typeof v === 'function').optional(),
  signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal).optional(),
});

/** Options of {@link writeSyntheticTinyImageNet}. */
export interface SyntheticOptions {
  /** Number of classes (the real set has 200). */
  classes: number;
  /** Train images per class (real: 500). */
  trainPerClass: number;
  /** Val images per class (real: 50, 10,000 in all). */
  valPerClass: number;
  /** Unlabelled test images (real: 10,000). Default 0. */
  testCount?: number;
  /** Seed: the same seed gives byte-identical files. Default 0. */
  seed?: number;
  /** Also write `<dir>/tiny-imagenet-200.zip` with top folder `tiny-imagenet-200/`. Default false. */
  zip?: boolean;
  /** Write the extracted folder `<dir>/tiny-imagenet-200/`. Default true. */
  folder?: boolean;
  /** Fraction of images stored as 1-channel (grayscale) JPEGs, like the real set. Default 0.02. */
  grayscaleFraction?: number;
  /** JPEG quality 1..100. Default 85. */
  quality?: number;
  /** Replace an existing output. Default false (an existing output is an error). */
  overwrite?: boolean;
  onProgress?: (p: { done: number; total: number }) => void;
  signal?: AbortSignal;
}

/** What {@link writeSyntheticTinyImageNet} wrote. */
export interface SyntheticDataset {
  /** The data set folder (`<dir>/tiny-imagenet-200`), or undefined when `folder: false`. */
  root: string | undefined;
  /** The zip, when `zip: true`. */
  zipPath: string | undefined;
  /** wnids in wnids.txt order (deliberately not sorted, like the real file). */
  wnids: string[];
  /** Classes in label order (sorted by wnid), with their words. */
  classes: ClassInfo[];
  counts: { train: number; val: number; test: number };
  /** How many images were written as 1-channel JPEGs. */
  grayscale: number;
}

interface PendingFile {
  path: string; // relative to the data set root
  data: () => Promise<Buffer>;
}

const CHUNK = 64;

/**
 * Writes a synthetic Tiny-ImageNet in exactly the official layout under `<dir>/tiny-imagenet-200/`
 * (and/or as `<dir>/tiny-imagenet-200.zip`): wnids.txt (unsorted), words.txt (more wnids than used),
 * train/<wnid>/images/<wnid>_<i>.JPEG, train/<wnid>/<wnid>_boxes.txt, val/images/val_<i>.JPEG,
 * val/val_annotations.txt (file TAB wnid TAB x0 TAB y0 TAB x1 TAB y1), test/images/test_<i>.JPEG.
 *
 * Class c is a coloured shape (disc/square/triangle/ring) on a striped background whose colours,
 * stripe angle and frequency depend on c, plus uniform pixel noise: learnable by a small CNN.
 * Every image is drawn from its own generator seeded with mix(seed, split, index), so the output
 * is deterministic whatever the encoding concurrency. Outputs are written under temporary names
 * and renamed at the end: an error or abort leaves nothing half-written.
 */
export async function writeSyntheticTinyImageNet(dir: string, options: SyntheticOptions): Promise<SyntheticDataset> {
  const o = parseOptions(schema, options, 'writeSyntheticTinyImageNet()');
  if (!o.folder && !o.zip) {
    throw new OptionsError('writeSyntheticTinyImageNet()', { option: 'folder', message: "is false, and so is option 'zip': nothing to write" });
  }
  const root = join(dir, ROOT_FOLDER);
  const zipPath = join(dir, `${ROOT_FOLDER}.zip`);
  for (const p of [o.folder ? root : undefined, o.zip ? zipPath : undefined]) {
    if (!p) continue;
    const exists = await stat(p).then(
      () => true,
      () => false,
    );
    if (exists && !o.overwrite) throw new Error(`writeSyntheticTinyImageNet: '${p}' exists (pass overwrite: true to replace it)`);
  }
  await mkdir(dir, { recursive: true });

  // Class ids: distinct random wnids; extra ones only appear in words.txt.
  const wrng = mulberry32(mixSeed(o.seed, 0x574e4944));
  const all = new Set<string>();
  const total = o.classes * 2 + 5;
  while (all.size < total) all.add(`n${String(wrng.int(1e8)).padStart(8, '0')}`);
  const allList = [...all];
  const used = allList.slice(0, o.classes);
  const sorted = [...used].sort(compareCodeUnits);
  const wnidsFileOrder = shuffleInPlace([...used], mulberry32(mixSeed(o.seed, 0x4f524452)));
  const styles = sorted.map((_, c) => classStyle(c));
  const words = new Map<string, string>();
  sorted.forEach((w, c) => words.set(w, `synthetic class ${c}, ${styles[c]!.description}`));
  for (const w of allList.slice(o.classes)) words.set(w, `unused synthetic class ${w}`);

  let grayscale = 0;
  const files: PendingFile[] = [];
  const text = (path: string, s: string): PendingFile => ({ path, data: async () => Buffer.from(s, 'utf8') });
  files.push(text('wnids.txt', wnidsFileOrder.map((w) => `${w}\n`).join('')));
  files.push(text('words.txt', [...words.keys()].sort(compareCodeUnits).map((w) => `${w}\t${words.get(w)}\n`).join('')));

  const image = (cls: number, split: number, index: number): { box: [number, number, number, number]; data: () => Promise<Buffer> } => {
    const rng = mulberry32(mixSeed(o.seed, split, index));
    const gray = rng.next() < o.grayscaleFraction;
    if (gray) grayscale++;
    const geom = drawGeometry(rng);
    // Pixels are rendered lazily (per chunk) so memory stays flat for 110,000 images.
    return {
      box: geom.box,
      data: () => {
        const rgb = renderImage(styles[cls]!, geom, rng);
        if (gray) {
          // Without toColourspace('b-w') libvips would write a 3-channel JPEG.
          return sharp(toGray(rgb), { raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 1 } })
            .toColourspace('b-w')
            .jpeg({ quality: o.quality })
            .toBuffer();
        }
        return sharp(rgb, { raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 3 } })
          .jpeg({ quality: o.quality })
          .toBuffer();
      },
    };
  };

  // Train: per class, images then the boxes file.
  sorted.forEach((wnid, c) => {
    const boxes: string[] = [];
    for (let i = 0; i < o.trainPerClass; i++) {
      const name = `${wnid}_${i}.JPEG`;
      const img = image(c, 1, c * 1_000_000 + i);
      boxes.push(`${name}\t${img.box.join('\t')}\n`);
      files.push({ path: `train/${wnid}/images/${name}`, data: img.data });
    }
    files.push(text(`train/${wnid}/${wnid}_boxes.txt`, boxes.join('')));
  });
  // Val: balanced classes in a seeded random order.
  const valClasses: number[] = [];
  for (let c = 0; c < o.classes; c++) for (let k = 0; k < o.valPerClass; k++) valClasses.push(c);
  shuffleInPlace(valClasses, mulberry32(mixSeed(o.seed, 0x56414c)));
  const ann: string[] = [];
  valClasses.forEach((c, i) => {
    const img = image(c, 2, i);
    ann.push(`val_${i}.JPEG\t${sorted[c]}\t${img.box.join('\t')}\n`);
    files.push({ path: `val/images/val_${i}.JPEG`, data: img.data });
  });
  files.push(text('val/val_annotations.txt', ann.join('')));
  const trng = mulberry32(mixSeed(o.seed, 0x54455354));
  for (let i = 0; i < o.testCount; i++) {
    files.push({ path: `test/images/test_${i}.JPEG`, data: image(trng.int(o.classes), 3, i).data });
  }

  const suffix = `.partial-${process.pid}`;
  const tmpRoot = `${root}${suffix}`;
  let zip: ZipWriter | undefined;
  try {
    if (o.folder) {
      await rm(tmpRoot, { recursive: true, force: true });
      await mkdir(tmpRoot, { recursive: true });
    }
    if (o.zip) zip = await ZipWriter.create(zipPath);
    const made = new Map<string, Promise<unknown>>();
    for (let start = 0; start < files.length; start += CHUNK) {
      throwIfAborted(o.signal);
      const chunk = files.slice(start, start + CHUNK);
      const datas = await Promise.all(chunk.map((f) => f.data()));
      if (o.folder) {
        await Promise.all(
          chunk.map(async (f, k) => {
            const full = join(tmpRoot, f.path);
            const parent = full.slice(0, full.lastIndexOf('/'));
            let dirMade = made.get(parent);
            if (!dirMade) {
              dirMade = mkdir(parent, { recursive: true });
              made.set(parent, dirMade);
            }
            await dirMade;
            await writeFile(full, datas[k]!);
          }),
        );
      }
      if (zip) for (let k = 0; k < chunk.length; k++) await zip.add(`${ROOT_FOLDER}/${chunk[k]!.path}`, datas[k]!);
      o.onProgress?.({ done: Math.min(start + CHUNK, files.length), total: files.length });
    }
    if (zip) {
      await zip.close();
      zip = undefined;
    }
    if (o.folder) {
      await rm(root, { recursive: true, force: true });
      await rename(tmpRoot, root);
    }
  } catch (e) {
    await zip?.discard();
    if (o.folder) await rm(tmpRoot, { recursive: true, force: true });
    throw e;
  }
  return {
    root: o.folder ? root : undefined,
    zipPath: o.zip ? zipPath : undefined,
    wnids: wnidsFileOrder,
    classes: sorted.map((wnid) => ({ wnid, words: words.get(wnid)! })),
    counts: { train: o.classes * o.trainPerClass, val: valClasses.length, test: o.testCount },
    grayscale,
  };
}
