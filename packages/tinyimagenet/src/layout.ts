import { TinyImageNetError } from './errors';

/** Side length of every Tiny-ImageNet image, in pixels. */
export const IMAGE_SIZE = 64;
/** Bytes of one decoded image: 64 * 64 * 3 (RGB, uint8). */
export const IMAGE_BYTES = IMAGE_SIZE * IMAGE_SIZE * 3;
/** Name of the top-level folder inside the official zip. */
export const ROOT_FOLDER = 'tiny-imagenet-200';

/** One class: WordNet id and its human-readable names (from words.txt, '' when absent). */
export interface ClassInfo {
  wnid: string;
  words: string;
}

const WNID_RE = /^n\d{8}$/;

function lines(text: string): string[] {
  const out = text.split(/\r?\n/);
  if (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

/** Parses wnids.txt: one wnid per line (blank lines ignored); duplicates and bad ids are errors. */
export function parseWnids(text: string, file = 'wnids.txt'): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  lines(text).forEach((raw, i) => {
    const w = raw.trim();
    if (w === '') return;
    if (!WNID_RE.test(w)) throw new TinyImageNetError(`'${w}' is not a WordNet id (nXXXXXXXX)`, { file, line: i + 1 });
    if (seen.has(w)) throw new TinyImageNetError(`duplicate wnid '${w}'`, { file, line: i + 1 });
    seen.add(w);
    out.push(w);
  });
  if (out.length === 0) throw new TinyImageNetError('lists no wnid', { file });
  return out;
}

/** Parses words.txt: `wnid TAB names` per line. Lines without a TAB are errors. */
export function parseWords(text: string, file = 'words.txt'): Map<string, string> {
  const map = new Map<string, string>();
  lines(text).forEach((raw, i) => {
    if (raw.trim() === '') return;
    const tab = raw.indexOf('\t');
    if (tab < 0) throw new TinyImageNetError('expected "wnid<TAB>words"', { file, line: i + 1 });
    map.set(raw.slice(0, tab).trim(), raw.slice(tab + 1).trim());
  });
  return map;
}

/** One labelled val image: file name (e.g. `val_0.JPEG`), wnid and box [x0, y0, x1, y1]. */
export interface ValAnnotation {
  file: string;
  wnid: string;
  box: [number, number, number, number];
  line: number;
}

/**
 * Parses val/val_annotations.txt: `file TAB wnid TAB x0 TAB y0 TAB x1 TAB y1`.
 * Every wnid must be in `known` (the wnids.txt set), else the error names the line.
 */
export function parseValAnnotations(text: string, known: ReadonlySet<string>, file = 'val/val_annotations.txt'): ValAnnotation[] {
  const out: ValAnnotation[] = [];
  const seen = new Set<string>();
  lines(text).forEach((raw, i) => {
    if (raw.trim() === '') return;
    const f = raw.split('\t');
    const line = i + 1;
    if (f.length < 2) throw new TinyImageNetError('expected "file<TAB>wnid<TAB>x0<TAB>y0<TAB>x1<TAB>y1"', { file, line });
    const name = f[0]!.trim();
    const wnid = f[1]!.trim();
    if (!/^[\w.-]+\.jpe?g$/i.test(name)) throw new TinyImageNetError(`'${name}' is not a JPEG file name`, { file, line });
    if (!known.has(wnid)) throw new TinyImageNetError(`wnid '${wnid}' is not listed in wnids.txt`, { file, line });
    if (seen.has(name)) throw new TinyImageNetError(`duplicate image '${name}'`, { file, line });
    seen.add(name);
    const nums = f.slice(2, 6).map(Number);
    const box: [number, number, number, number] =
      nums.length === 4 && nums.every(Number.isFinite) ? [nums[0]!, nums[1]!, nums[2]!, nums[3]!] : [0, 0, 0, 0];
    out.push({ file: name, wnid, box, line });
  });
  return out;
}

/** Natural order of `<wnid>_<i>.JPEG` / `val_<i>.JPEG`: by the trailing integer, then by name. */
export function compareImageNames(a: string, b: string): number {
  const na = /_(\d+)\.[^.]+$/.exec(a);
  const nb = /_(\d+)\.[^.]+$/.exec(b);
  if (na && nb) {
    const d = Number(na[1]) - Number(nb[1]);
    if (d !== 0) return d;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Plain code-unit comparison (what Python's `sorted` and torchvision's ImageFolder use for ASCII). */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
