import { createHash } from 'node:crypto';
import { open, readdir, readFile, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import yauzl from 'yauzl';
import { crc32 } from './crc32';
import { TinyImageNetError } from './errors';
import { ROOT_FOLDER } from './layout';

/**
 * Read access to a Tiny-ImageNet data set, whether an extracted folder or the zip.
 * Paths are relative to the data set root (the folder holding wnids.txt), with '/' separators.
 */
export interface DatasetSource {
  readonly kind: 'folder' | 'zip';
  /** The folder or zip path given by the user. */
  readonly location: string;
  /** How to name a file in messages (absolute folder path, or `zip!entry`). */
  describe(path: string): string;
  exists(path: string): Promise<boolean>;
  read(path: string): Promise<Buffer>;
  /** The file's path on disk when the source is a folder (decode workers then read it themselves). */
  filePath?(path: string): string;
  /** Names (not paths) directly inside folder `dir`; subfolders end without '/'. */
  list(dir: string): Promise<string[]>;
  /** A cheap identity of the source content (see openSource). */
  fingerprint(): Promise<string>;
  close(): Promise<void>;
}

async function isFile(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}

/**
 * Opens a folder (the data set root, or a folder containing `tiny-imagenet-200/`) or a zip.
 *
 * Fingerprints (used to invalidate caches): a folder's is sha256 over (path, size, mtime) of
 * wnids.txt, words.txt, val/val_annotations.txt and of each train/<wnid>/images and val/images
 * folder (a folder's mtime changes when files are added, removed or renamed in it); a zip's is
 * sha256 of its size, mtime and raw central directory (every entry's name, sizes and CRC-32).
 */
export async function openSource(location: string): Promise<DatasetSource> {
  const st = await stat(location).catch(() => undefined);
  if (!st) throw new TinyImageNetError('no such file or folder', { file: location });
  if (st.isDirectory()) return openFolder(location);
  const fh = await open(location, 'r');
  try {
    await assertZipMagic(fh, location);
  } finally {
    await fh.close();
  }
  return openZip(location);
}

async function assertZipMagic(fh: FileHandle, location: string): Promise<void> {
  const magic = Buffer.alloc(4);
  const { bytesRead } = await fh.read(magic, 0, 4, 0);
  const sig = bytesRead === 4 ? magic.readUInt32LE(0) : 0;
  if (sig !== 0x04034b50 && sig !== 0x06054b50) throw new TinyImageNetError('is neither a folder nor a zip archive', { file: location });
}

/** The data set root inside a folder: the folder itself or its tiny-imagenet-200/ child. */
async function folderRoot(location: string): Promise<string> {
  if (await isFile(join(location, 'wnids.txt'))) return location;
  if (await isFile(join(location, ROOT_FOLDER, 'wnids.txt'))) return join(location, ROOT_FOLDER);
  throw new TinyImageNetError(`missing wnids.txt (looked in ${location} and ${join(location, ROOT_FOLDER)})`, { file: join(location, 'wnids.txt') });
}

async function folderFingerprint(root: string): Promise<string> {
  const full = (p: string): string => join(root, ...p.split('/'));
  const h = createHash('sha256');
  const parts = ['wnids.txt', 'words.txt', 'val/val_annotations.txt', 'val/images'];
  const wnidDirs = await readdir(full('train')).catch(() => [] as string[]);
  for (const w of wnidDirs.sort()) parts.push(`train/${w}/images`);
  const stats = await Promise.all(parts.map((p) => stat(full(p)).catch(() => undefined)));
  parts.forEach((p, i) => h.update(`${p}\0${stats[i]?.size ?? -1}\0${stats[i]?.mtimeMs ?? -1}\n`));
  return `folder:${h.digest('hex')}`;
}

/**
 * A zip's fingerprint without parsing it entry by entry: sha256 of its size, mtime and the raw
 * central directory bytes (every entry's name, sizes and CRC-32), located through the (Zip64) end
 * record. Two reads; about 10 MB for the real archive.
 */
async function zipFingerprint(location: string): Promise<string> {
  const fh = await open(location, 'r');
  try {
    await assertZipMagic(fh, location);
    const st = await fh.stat();
    const tailLen = Math.min(st.size, 22 + 0xffff + 20 + 56);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, st.size - tailLen);
    let e = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        e = i;
        break;
      }
    }
    if (e < 0) throw new TinyImageNetError('truncated or corrupt zip archive: end of central directory record not found', { file: location });
    let cdSize = tail.readUInt32LE(e + 12);
    let cdOffset = tail.readUInt32LE(e + 16);
    if (e >= 20 && tail.readUInt32LE(e - 20) === 0x07064b50) {
      const recAt = Number(tail.readBigUInt64LE(e - 20 + 8));
      const rec = Buffer.alloc(56);
      await fh.read(rec, 0, 56, recAt);
      if (rec.readUInt32LE(0) === 0x06064b50) {
        cdSize = Number(rec.readBigUInt64LE(40));
        cdOffset = Number(rec.readBigUInt64LE(48));
      }
    }
    if (cdOffset + cdSize > st.size) throw new TinyImageNetError('truncated or corrupt zip archive: central directory past the end of the file', { file: location });
    const cd = Buffer.alloc(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);
    const h = createHash('sha256');
    h.update(`${st.size}\0${st.mtimeMs}\n`);
    h.update(cd);
    return `zip:${h.digest('hex')}`;
  } finally {
    await fh.close();
  }
}

/**
 * The fingerprint of a folder or zip source (see openSource), computed without opening the
 * archive entry by entry, so that checking a cache is cheap.
 */
export async function sourceFingerprint(location: string): Promise<string> {
  const st = await stat(location).catch(() => undefined);
  if (!st) throw new TinyImageNetError('no such file or folder', { file: location });
  return st.isDirectory() ? folderFingerprint(await folderRoot(location)) : zipFingerprint(location);
}

async function openFolder(location: string): Promise<DatasetSource> {
  const root = await folderRoot(location);
  const full = (p: string): string => join(root, ...p.split('/'));
  return {
    kind: 'folder',
    location,
    describe: full,
    exists: (p) => stat(full(p)).then(
      () => true,
      () => false,
    ),
    read: (p) => readFile(full(p)),
    filePath: full,
    list: async (dir) => (await readdir(full(dir)).catch(() => [] as string[])).sort(),
    fingerprint: () => folderFingerprint(root),
    close: async () => undefined,
  };
}

function zipError(location: string, err: unknown): TinyImageNetError {
  const msg = err instanceof Error ? err.message : String(err);
  if (/invalid relative path|absolute path|invalid characters/i.test(msg)) {
    return new TinyImageNetError(`zip entry escapes the archive folder (zip-slip), refusing it: ${msg}`, { file: location, cause: err });
  }
  return new TinyImageNetError(`truncated or corrupt zip archive: ${msg}`, { file: location, cause: err });
}

function openYauzl(location: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(location, { lazyEntries: true, autoClose: false, strictFileNames: true, validateEntrySizes: true }, (err, zf) => {
      if (err || !zf) reject(zipError(location, err));
      else resolve(zf);
    });
  });
}

function readEntries(location: string, zf: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const out: yauzl.Entry[] = [];
    zf.on('entry', (e: yauzl.Entry) => {
      const name = e.fileName;
      if (name.includes('\\') || name.startsWith('/') || name.split('/').includes('..')) {
        reject(zipError(location, new Error(`invalid relative path: ${name}`)));
        return;
      }
      out.push(e);
      zf.readEntry();
    });
    zf.on('end', () => resolve(out));
    zf.on('error', (err: unknown) => reject(zipError(location, err)));
    zf.readEntry();
  });
}

async function openZip(location: string): Promise<DatasetSource> {
  const zf = await openYauzl(location);
  let entries: yauzl.Entry[];
  try {
    entries = await readEntries(location, zf);
  } catch (e) {
    zf.close();
    throw e;
  }
  // Root: '' when wnids.txt is at the top, else the single folder holding it (tiny-imagenet-200/).
  const wn = entries.map((e) => e.fileName).filter((n) => /^([^/]+\/)?wnids\.txt$/.test(n));
  if (wn.length === 0) {
    zf.close();
    throw new TinyImageNetError(`missing wnids.txt (neither at the top nor in ${ROOT_FOLDER}/)`, { file: location });
  }
  const prefix = wn.includes('wnids.txt') ? '' : wn[0]!.slice(0, -'wnids.txt'.length);
  const byName = new Map<string, yauzl.Entry>();
  const children = new Map<string, Set<string>>();
  for (const e of entries) {
    if (!e.fileName.startsWith(prefix)) continue;
    const rel = e.fileName.slice(prefix.length).replace(/\/$/, '');
    if (rel === '') continue;
    if (!e.fileName.endsWith('/')) byName.set(rel, e);
    const parts = rel.split('/');
    for (let i = 0; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      let set = children.get(dir);
      if (!set) children.set(dir, (set = new Set()));
      set.add(parts[i]!);
    }
  }
  const read = (p: string): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const e = byName.get(p);
      if (!e) {
        reject(new TinyImageNetError('no such entry in the zip', { file: `${location}!${prefix}${p}` }));
        return;
      }
      zf.openReadStream(e, (err, stream) => {
        if (err || !stream) {
          reject(zipError(`${location}!${e.fileName}`, err));
          return;
        }
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', (er: unknown) => reject(zipError(`${location}!${e.fileName}`, er)));
        stream.on('end', () => {
          const data = Buffer.concat(chunks);
          // yauzl does not check CRCs; a flipped bit in a stored entry would otherwise pass silently.
          const crc = crc32(data);
          if (crc !== e.crc32) {
            reject(
              new TinyImageNetError(`CRC-32 mismatch (stored ${e.crc32.toString(16)}, computed ${crc.toString(16)}): the archive is corrupt`, {
                file: `${location}!${e.fileName}`,
              }),
            );
          } else resolve(data);
        });
      });
    });
  return {
    kind: 'zip',
    location,
    describe: (p) => `${location}!${prefix}${p}`,
    exists: async (p) => byName.has(p) || children.has(p),
    read,
    list: async (dir) => [...(children.get(dir) ?? [])].sort(),
    fingerprint: () => zipFingerprint(location),
    close: async () => zf.close(),
  };
}
