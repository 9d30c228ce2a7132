import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { dirname } from 'node:path';
import { z } from 'zod';
import { TinyImageNetError } from './errors';
import { expectedValue, parseOptions } from './options';
import type { Progress } from './split';

/** The official archive (Stanford CS231n). No checksum is published for it. */
export const OFFICIAL_URL = 'http://cs231n.stanford.edu/tiny-imagenet-200.zip';

const schema = z.object({
  url: z.string().url().default(OFFICIAL_URL),
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, { error: expectedValue('64 hex digits') })
    .optional(),
  size: z.number().int().min(0).optional(),
  onProgress: z.custom<(p: Progress) => void>((v) => typeof v === 'function').optional(),
  signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal).optional(),
  maxRedirects: z.number().int().min(0).default(5),
});

/** Options of {@link download}. */
export interface DownloadOptions {
  /** Default: {@link OFFICIAL_URL}. http: and https: are supported. */
  url?: string;
  /** Expected SHA-256 (hex). Strongly recommended: the official archive has no published checksum. */
  sha256?: string;
  /** Expected size in bytes (checked in addition to the server's Content-Length/Content-Range). */
  size?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  maxRedirects?: number;
}

/** What {@link download} did. */
export interface DownloadResult {
  path: string;
  bytes: number;
  sha256: string;
  /** Bytes already present in `<dest>.part` and not fetched again. */
  resumedFrom: number;
}

function request(url: string, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.get(url, { headers, signal }, resolve);
    req.on('error', reject);
  });
}

async function hashFile(path: string, upTo: number): Promise<ReturnType<typeof createHash>> {
  const h = createHash('sha256');
  if (upTo === 0) return h;
  await new Promise<void>((resolve, reject) => {
    createReadStream(path, { start: 0, end: upTo - 1 })
      .on('data', (c) => h.update(c))
      .on('end', resolve)
      .on('error', reject);
  });
  return h;
}

/**
 * Downloads `url` to `dest`. Data goes to `<dest>.part`; a later call resumes it with an HTTP
 * `Range: bytes=<have>-` request (a 206 reply appends, a 200 reply restarts from zero). When
 * complete, the size (Content-Range total / Content-Length, and `size`) and the SHA-256 (`sha256`)
 * are checked, and only then is the file renamed to `dest`. On a checksum or size mismatch the
 * partial file is deleted and the error names the file, the expected and the actual value.
 * Returns at once when `dest` exists and matches `sha256` (or exists and no sha256 is given).
 */
export async function download(dest: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const o = parseOptions(schema, options, 'download()');
  const want = o.sha256?.toLowerCase();
  const existing = await stat(dest).catch(() => undefined);
  if (existing?.isFile()) {
    const h = (await hashFile(dest, existing.size)).digest('hex');
    if (!want || h === want) return { path: dest, bytes: existing.size, sha256: h, resumedFrom: existing.size };
    throw new TinyImageNetError(`exists with sha256 ${h}, expected ${want}; delete it to download again`, { file: dest });
  }
  await mkdir(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  let have = (await stat(part).catch(() => undefined))?.size ?? 0;
  let url = o.url;
  let res: http.IncomingMessage | undefined;
  for (let hop = 0; ; hop++) {
    res = await request(url, have > 0 ? { Range: `bytes=${have}-` } : {}, o.signal);
    const code = res.statusCode ?? 0;
    if (code >= 300 && code < 400 && res.headers.location) {
      res.resume();
      if (hop >= o.maxRedirects) throw new TinyImageNetError(`more than ${o.maxRedirects} redirects`, { file: o.url });
      url = new URL(res.headers.location, url).toString();
      continue;
    }
    if (code === 416 && have > 0) {
      // Range not satisfiable: the part file is complete (or bigger than the file): verify it below.
      res.resume();
      res = undefined;
      break;
    }
    if (code !== 200 && code !== 206) {
      res.resume();
      throw new TinyImageNetError(`HTTP ${code} ${res.statusMessage ?? ''}`.trim(), { file: url });
    }
    break;
  }
  let total: number | undefined;
  const resumedFrom = res?.statusCode === 206 ? have : 0;
  if (res) {
    if (res.statusCode === 206) {
      const m = /bytes (\d+)-\d+\/(\d+|\*)/.exec(String(res.headers['content-range'] ?? ''));
      if (!m || Number(m[1]) !== have) {
        res.resume();
        throw new TinyImageNetError(`server answered the range request with '${res.headers['content-range']}', expected a range from ${have}`, { file: url });
      }
      if (m[2] !== '*') total = Number(m[2]);
    } else {
      have = 0; // 200: the server ignored Range, start over
      const len = res.headers['content-length'];
      if (len !== undefined) total = Number(len);
    }
    const out = createWriteStream(part, { flags: have > 0 ? 'r+' : 'w', start: have });
    let got = have;
    await new Promise<void>((resolve, reject) => {
      res!.on('data', (c: Buffer) => {
        got += c.length;
        if (!out.write(c)) {
          res!.pause();
          out.once('drain', () => res!.resume());
        }
        o.onProgress?.({ phase: 'download', done: got, total: total ?? 0 });
      });
      res!.on('end', () => out.end(() => resolve()));
      res!.on('error', (e) => out.end(() => reject(e)));
      res!.on('aborted', () => out.end(() => reject(new Error('connection closed before the end of the body'))));
      out.on('error', reject);
    }).catch((e: unknown) => {
      throw new TinyImageNetError(`download interrupted at ${got} bytes (rerun to resume): ${e instanceof Error ? e.message : String(e)}`, {
        file: url,
        cause: e,
      });
    });
    if (!res.complete) throw new TinyImageNetError(`download interrupted at ${got} bytes (rerun to resume)`, { file: url });
  }
  const size = (await stat(part)).size;
  o.onProgress?.({ phase: 'verify', done: 0, total: size });
  const expectedSize = o.size ?? total;
  if (expectedSize !== undefined && size !== expectedSize) {
    if (size > expectedSize) await rm(part, { force: true });
    throw new TinyImageNetError(`size ${size} bytes, expected ${expectedSize}${size > expectedSize ? ' (deleted)' : ' (rerun to resume)'}`, { file: part });
  }
  const digest = (await hashFile(part, size)).digest('hex');
  if (want && digest !== want) {
    await rm(part, { force: true });
    throw new TinyImageNetError(`checksum mismatch: sha256 ${digest}, expected ${want} (partial file deleted)`, { file: part });
  }
  o.onProgress?.({ phase: 'verify', done: size, total: size });
  await rename(part, dest);
  return { path: dest, bytes: size, sha256: digest, resumedFrom };
}
