import { parseValAnnotations } from './layout';
import { resolveClasses } from './read-split';
import { openSource } from './source';

/** A summary of a data set folder or zip, computed from listings and text files (no decoding). */
export interface DatasetInfo {
  kind: 'folder' | 'zip';
  location: string;
  /** Classes in label order (sorted wnids) with words. */
  classes: { wnid: string; words: string; train: number; val: number }[];
  counts: { train: number; val: number; test: number };
  fingerprint: string;
}

/** Lists a Tiny-ImageNet folder or zip: classes, images per class and split (files are not decoded). */
export async function inspectTinyImageNet(source: string): Promise<DatasetInfo> {
  const src = await openSource(source);
  try {
    const { all, selected } = await resolveClasses(src, undefined);
    const isJpeg = (n: string): boolean => /\.jpe?g$/i.test(n);
    const train = await Promise.all(selected.map(async (c) => (await src.list(`train/${c.wnid}/images`)).filter(isJpeg).length));
    const valCount = new Map<string, number>();
    if (await src.exists('val/val_annotations.txt')) {
      const ann = parseValAnnotations((await src.read('val/val_annotations.txt')).toString('utf8'), new Set(all), src.describe('val/val_annotations.txt'));
      for (const a of ann) valCount.set(a.wnid, (valCount.get(a.wnid) ?? 0) + 1);
    }
    const test = (await src.list('test/images')).filter(isJpeg).length;
    const classes = selected.map((c, i) => ({ ...c, train: train[i]!, val: valCount.get(c.wnid) ?? 0 }));
    return {
      kind: src.kind,
      location: source,
      classes,
      counts: { train: train.reduce((a, b) => a + b, 0), val: [...valCount.values()].reduce((a, b) => a + b, 0), test },
      fingerprint: await src.fingerprint(),
    };
  } finally {
    await src.close();
  }
}
