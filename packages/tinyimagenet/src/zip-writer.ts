import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { deflateRaw } from 'node:zlib';
import { crc32 } from './crc32';

const deflateRawAsync = promisify(deflateRaw);

// Fixed DOS timestamp (2015-01-01 00:00) so that archives are byte-for-byte deterministic.
const DOS_TIME = 0;
const DOS_DATE = ((2015 - 1980) << 9) | (1 << 5) | 1;

interface CentralRecord {
  name: Buffer;
  crc: number;
  compressed: number;
  size: number;
  method: number;
  offset: number;
  isDir: boolean;
}

/**
 * A minimal sequential zip writer (PKWARE APPNOTE 6.3): deflate (method 8) or store (method 0),
 * UTF-8 names, directory entries, and a Zip64 end record when there are >= 65535 entries
 * (the real tiny-imagenet-200.zip has ~120k). Writes to `<path>.partial` and renames on `close()`,
 * so a reader never sees a half-written archive. Sizes must stay below 4 GiB.
 */
export class ZipWriter {
  private readonly records: CentralRecord[] = [];
  private readonly dirs = new Set<string>();
  private offset = 0;
  private constructor(
    private readonly fh: FileHandle,
    private readonly path: string,
    private readonly tmp: string,
  ) {}

  static async create(path: string): Promise<ZipWriter> {
    const tmp = `${path}.partial`;
    return new ZipWriter(await open(tmp, 'w'), path, tmp);
  }

  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private flushedTo = 0;

  /** Appends to an in-memory buffer, flushed to disk every 4 MiB (few syscalls for tiny entries). */
  private async write(buf: Uint8Array): Promise<void> {
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    this.offset += buf.length;
    if (this.pendingBytes >= 4 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const data = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    await this.fh.write(data, 0, data.length, this.flushedTo);
    this.flushedTo += data.length;
  }

  private async ensureDirs(name: string): Promise<void> {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = `${parts.slice(0, i).join('/')}/`;
      if (!this.dirs.has(dir)) {
        this.dirs.add(dir);
        await this.addRaw(dir, new Uint8Array(0), 0, true);
      }
    }
  }

  /** Adds a file; `compress` (default true) deflates it. Parent directory entries are added first. */
  async add(name: string, data: Uint8Array, compress = true): Promise<void> {
    await this.ensureDirs(name);
    await this.addRaw(name, data, compress ? 8 : 0, false);
  }

  /**
   * Adds an entry with an arbitrary (unvalidated) name: used by tests to build hostile archives,
   * e.g. names that escape the extraction folder.
   */
  async addUnchecked(name: string, data: Uint8Array): Promise<void> {
    await this.addRaw(name, data, 0, false);
  }

  private async addRaw(nameStr: string, data: Uint8Array, method: number, isDir: boolean): Promise<void> {
    const name = Buffer.from(nameStr, 'utf8');
    const body = method === 8 ? await deflateRawAsync(data) : data;
    const crc = crc32(data);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4); // version needed
    h.writeUInt16LE(0x0800, 6); // UTF-8 names
    h.writeUInt16LE(method, 8);
    h.writeUInt16LE(DOS_TIME, 10);
    h.writeUInt16LE(DOS_DATE, 12);
    h.writeUInt32LE(crc, 14);
    h.writeUInt32LE(body.length, 18);
    h.writeUInt32LE(data.length, 22);
    h.writeUInt16LE(name.length, 26);
    h.writeUInt16LE(0, 28);
    this.records.push({ name, crc, compressed: body.length, size: data.length, method, offset: this.offset, isDir });
    await this.write(Buffer.concat([h, name]));
    await this.write(body);
  }

  /** Writes the central directory and end records, then renames the archive into place. */
  async close(): Promise<void> {
    const cdStart = this.offset;
    const parts: Buffer[] = [];
    for (const r of this.records) {
      const c = Buffer.alloc(46);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE((3 << 8) | 20, 4); // made by: unix, 2.0
      c.writeUInt16LE(20, 6);
      c.writeUInt16LE(0x0800, 8);
      c.writeUInt16LE(r.method, 10);
      c.writeUInt16LE(DOS_TIME, 12);
      c.writeUInt16LE(DOS_DATE, 14);
      c.writeUInt32LE(r.crc, 16);
      c.writeUInt32LE(r.compressed, 20);
      c.writeUInt32LE(r.size, 24);
      c.writeUInt16LE(r.name.length, 28);
      // extra, comment, disk, internal attrs = 0
      c.writeUInt32LE(r.isDir ? ((0o40755 << 16) | 0x10) >>> 0 : (0o100644 << 16) >>> 0, 38);
      c.writeUInt32LE(r.offset, 42);
      parts.push(c, r.name);
    }
    const cd = Buffer.concat(parts);
    await this.write(cd);
    const n = this.records.length;
    const zip64 = n >= 0xffff;
    if (zip64) {
      const z = Buffer.alloc(56 + 20);
      const recOffset = this.offset;
      z.writeUInt32LE(0x06064b50, 0);
      z.writeBigUInt64LE(44n, 4);
      z.writeUInt16LE(45, 12);
      z.writeUInt16LE(45, 14);
      z.writeBigUInt64LE(BigInt(n), 24);
      z.writeBigUInt64LE(BigInt(n), 32);
      z.writeBigUInt64LE(BigInt(cd.length), 40);
      z.writeBigUInt64LE(BigInt(cdStart), 48);
      z.writeUInt32LE(0x07064b50, 56);
      z.writeBigUInt64LE(BigInt(recOffset), 64);
      z.writeUInt32LE(1, 72);
      await this.write(z);
    }
    const e = Buffer.alloc(22);
    e.writeUInt32LE(0x06054b50, 0);
    e.writeUInt16LE(zip64 ? 0xffff : n, 8);
    e.writeUInt16LE(zip64 ? 0xffff : n, 10);
    e.writeUInt32LE(cd.length, 12);
    e.writeUInt32LE(cdStart, 16);
    await this.write(e);
    await this.flush();
    await this.fh.close();
    await rename(this.tmp, this.path);
  }

  /** Closes and deletes the partial archive (after an error or abort). */
  async discard(): Promise<void> {
    await this.fh.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
  }
}
