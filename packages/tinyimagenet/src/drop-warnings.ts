import type { LoadWarning, TinyImageNetSplit } from './split';

/** How many paths a warning names before it points at the full list. */
export const FIRST_PATHS = 5;

function firstOf(paths: string[], fullList: string): string {
  const shown = paths.slice(0, FIRST_PATHS).join(', ');
  return paths.length > FIRST_PATHS ? `${shown}, ... (first ${FIRST_PATHS}; all ${paths.length} in ${fullList})` : `${shown} (listed in ${fullList})`;
}

/**
 * The warnings for what a loaded split left out: val images without an annotation line and
 * images skipped as undecodable. `listedIn` names where the full lists are, e.g. the cache
 * manifest's path.
 */
export function dropWarnings(data: TinyImageNetSplit, where: { source: string; listedIn: string | undefined }): LoadWarning[] {
  const out: LoadWarning[] = [];
  const fullList = (field: string): string => (where.listedIn ? `${field} of ${where.listedIn}` : `the split's ${field}`);
  const un = data.unannotatedVal;
  if (un.length > 0) {
    out.push({
      kind: 'unannotated-val',
      count: un.length,
      first: un.slice(0, FIRST_PATHS),
      message:
        `${where.source}: ${un.length} val image${un.length === 1 ? ' has' : 's have'} no line in val/val_annotations.txt and ` +
        `${un.length === 1 ? 'was' : 'were'} left out (no label): ${firstOf(un, fullList('unannotatedVal'))}`,
    });
  }
  const sk = data.skippedImages;
  if (sk.length > 0) {
    const paths = sk.map((s) => s.path);
    out.push({
      kind: 'skipped-images',
      count: sk.length,
      first: paths.slice(0, FIRST_PATHS),
      message:
        `${where.source}: ${sk.length} ${data.split} image${sk.length === 1 ? '' : 's'} could not be decoded and ${sk.length === 1 ? 'was' : 'were'} left out: ` +
        `${firstOf(
          sk.map((s) => `${s.path} (${s.reason})`),
          fullList('skippedImages'),
        )}`,
    });
  }
  return out;
}
