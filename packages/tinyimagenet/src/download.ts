import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, statfs } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { basename, dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { DiskFullError } from '@regstudy/options';
import { TinyImageNetError } from './errors';
import { writeAtomic } from './write-atomic';
import { expectedValue, parseOptions } from './options';
import type { Progress } from './split';

/**
 * The official archive (Stanford CS231n). No checksum is published for it: {@link download}
 * records the SHA-256 of the first complete download in `<dest>.sha256` and checks it later.
 * An https variant is {@link OFFICIAL_HTTPS_URL}.
 */
export const OFFICIAL_URL = 'http://cs231n.stanford.edu/tiny-imagenet-200.zip';
/** The official archive over https (same host; use it where the host serves https). */
export const OFFICIAL_HTTPS_URL = 'https://cs231n.stanford.edu/tiny-imagenet-200.zip';

const schema = z.object({
  url: z.string().url().default(OFFICIAL_URL),
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, { error: expectedValue('64 hex digits') })
    .optional(),
  size: z.number().int().min(0).optional(),
  onProgress: z.custom<(p: Progress) => void>((v) => typeof v === 'function').optional(),
  onRetry: z.custom<(r: DownloadRetry) => void>((v) => typeof v === 'function').optional(),
  signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal).optional(),
  maxRedirects: z.number().int().min(0).default(5),
  idleTimeoutMs: z.number().int().min(1).default(60_000),
  retries: z.number().int().min(0).default(3),
  retryDelayMs: z.number().int().min(0).default(1000),
});

/** One retry of {@link download} after a stalled or broken attempt. */
export interface DownloadRetry {
  /** 1 for the first retry. */
  attempt: number;
  /** Of {@link DownloadOptions.retries}. */
  retries: number;
  /** Wait before this retry: `retryDelayMs * 2^(attempt - 1)`. */
  delayMs: number;
  /** Bytes in `<dest>.part` that the retry resumes from. */
  have: number;
  /** Why the previous attempt ended. */
  error: Error;
}

/** Options of {@link download}. */
export interface DownloadOptions {
  /** Default: {@link OFFICIAL_URL}. http: and https: are supported. */
  url?: string;
  /**
   * Expected SHA-256 (hex). Without it, the SHA-256 recorded in `<dest>.sha256` by an earlier
   * download is checked (the official archive has no published checksum).
   */
  sha256?: string;
  /** Expected size in bytes (checked in addition to the server's Content-Length/Content-Range). */
  size?: number;
  onProgress?: (p: Progress) => void;
  /** Called before each retry (a library never prints). */
  onRetry?: (r: DownloadRetry) => void;
  signal?: AbortSignal;
  /** Default 5. */
  maxRedirects?: number;
  /** An attempt that receives no bytes (response headers or body) for this long is aborted. Milliseconds, default 60000. */
  idleTimeoutMs?: number;
  /** Attempts after the first one that ended by an idle timeout, a network error or an HTTP 5xx. Default 3. */
  retries?: number;
  /** Backoff before retry k (1-based): `retryDelayMs * 2^(k-1)` milliseconds. Default 1000. */
  retryDelayMs?: number;
}

/** What {@link download} did. */
export interface DownloadResult {
  path: string;
  bytes: number;
  sha256: string;
  /** Bytes already present in `<dest>.part` (or `dest`) and not fetched again. */
  resumedFrom: number;
  /** Where the SHA-256 is recorded (`<dest>.sha256`, `sha256sum -c` format). */
  sha256File: string;
}

type Options = z.output<typeof schema>;

/** An attempt that may succeed when tried again (stall, dropped connection, 5xx). */
class RetryableError extends Error {}

/** The validator of a response for `If-Range`: a strong ETag, else Last-Modified (RFC 9110 13.1.5). */
function validatorOf(res: http.IncomingMessage): string | undefined {
  const etag = res.headers.etag;
  if (etag && !etag.startsWith('W/')) return etag;
  return res.headers['last-modified'];
}

async function hashFile(path: string, upTo: number): Promise<string> {
  const h = createHash('sha256');
  if (upTo > 0) {
    await new Promise<void>((resolve, reject) => {
      createReadStream(path, { start: 0, end: upTo - 1 })
        .on('data', (c) => h.update(c))
        .on('end', resolve)
        .on('error', reject);
    });
  }
  return h.digest('hex');
}

/** `<hex>  <name>` as written by sha256sum; undefined when there is no such file. */
async function readRecorded(file: string): Promise<string | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const m = text === undefined ? null : /^([0-9a-f]{64})\b/i.exec(text.trim());
  return m ? m[1]!.toLowerCase() : undefined;
}

/** Sends a GET; no response headers within `idleMs` rejects with a RetryableError. */
function request(url: string, headers: Record<string, string>, idleMs: number, signal: AbortSignal | undefined): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.get(url, { headers, ...(signal ? { signal } : {}) }, (res) => {
      req.setTimeout(0);
      resolve(res);
    });
    req.setTimeout(idleMs, () => req.destroy(new RetryableError(`no response for ${idleMs} ms`)));
    req.on('error', (e) => reject(signal?.aborted || e instanceof RetryableError ? e : new RetryableError(e.message, { cause: e })));
  });
}

/** Part-file state kept between attempts (and in `<dest>.part.json` between calls). */
interface PartState {
  have: number;
  /** ETag or Last-Modified of the response that started the part file. */
  validator: string | undefined;
  /** A 200 reply made an attempt start over from byte 0. */
  restarted: boolean;
}

/**
 * One attempt: requests the rest of the part file (Range + If-Range), follows redirects and
 * appends (206) or restarts (200). Resolves with the total size when known.
 */
async function attempt(o: Options, part: string, state: PartState): Promise<number | undefined> {
  let url = o.url;
  let res: http.IncomingMessage;
  for (let hop = 0; ; hop++) {
    const headers: Record<string, string> = {};
    if (state.have > 0) {
      headers.Range = `bytes=${state.have}-`;
      if (state.validator) headers['If-Range'] = state.validator;
    }
    res = await request(url, headers, o.idleTimeoutMs, o.signal);
    const code = res.statusCode ?? 0;
    if (code >= 300 && code < 400 && res.headers.location) {
      res.resume();
      if (hop >= o.maxRedirects) throw new TinyImageNetError(`more than ${o.maxRedirects} redirects`, { file: o.url });
      url = new URL(res.headers.location, url).toString();
      continue;
    }
    if (code === 416 && state.have > 0) {
      // Range not satisfiable: the part file is complete (or bigger than the file): verify it.
      res.resume();
      return undefined;
    }
    if (code !== 200 && code !== 206) {
      res.resume();
      const message = `HTTP ${code} ${res.statusMessage ?? ''}`.trim();
      if (code >= 500) throw new RetryableError(message);
      throw new TinyImageNetError(message, { file: url });
    }
    break;
  }
  let total: number | undefined;
  if (res.statusCode === 206) {
    const m = /bytes (\d+)-\d+\/(\d+|\*)/.exec(String(res.headers['content-range'] ?? ''));
    if (!m || Number(m[1]) !== state.have) {
      res.resume();
      throw new TinyImageNetError(`server answered the range request with '${res.headers['content-range']}', expected a range from ${state.have}`, { file: url });
    }
    if (m[2] !== '*') total = Number(m[2]);
    state.validator ??= validatorOf(res);
  } else {
    // 200: the server ignored Range, or If-Range did not match (the file changed): start over.
    state.have = 0;
    state.restarted = true;
    state.validator = validatorOf(res);
    const len = res.headers['content-length'];
    if (len !== undefined) total = Number(len);
  }
  await writeAtomic(`${part}.json`, new TextEncoder().encode(`${JSON.stringify({ url: o.url, validator: state.validator ?? null })}\n`));

  const out = createWriteStream(part, { flags: state.have > 0 ? 'r+' : 'w', start: state.have });
  let timer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => res.destroy(new RetryableError(`no data for ${o.idleTimeoutMs} ms`)), o.idleTimeoutMs);
  };
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      touch();
      state.have += chunk.length;
      o.onProgress?.({ phase: 'download', done: state.have, total: total ?? 0 });
      done(null, chunk);
    },
  });
  touch();
  try {
    await pipeline(res, meter, out);
  } catch (e) {
    if (!out.closed) await new Promise<void>((r) => out.once('close', () => r()));
    if (DiskFullError.isDiskFull(e)) throw await DiskFullError.measure(e, part, dirname(part), total ?? state.have, statfs);
    if (o.signal?.aborted) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new RetryableError(`download interrupted at ${state.have} bytes: ${why}`, { cause: e });
  } finally {
    clearTimeout(timer);
  }
  if (!res.complete) throw new RetryableError(`download interrupted at ${state.have} bytes: connection closed before the end of the body`);
  return total;
}

/**
 * Downloads `url` to `dest`. Data goes to `<dest>.part`; an attempt that stalls (no bytes for
 * `idleTimeoutMs`), drops or gets an HTTP 5xx is retried up to `retries` times with exponential
 * backoff, resuming with `Range: bytes=<have>-` and `If-Range: <ETag or Last-Modified of the
 * response that started the part file>`: a 206 reply appends, a 200 reply (the file changed or
 * the server ignores ranges) restarts from byte 0. A later call resumes the part file the same
 * way (the validator is kept in `<dest>.part.json`). When complete, the size (Content-Range
 * total / Content-Length, and `size`) and the SHA-256 (`sha256`, else the one recorded in
 * `<dest>.sha256` by an earlier download) are checked, and only then is the file renamed to
 * `dest` and its SHA-256 recorded in `<dest>.sha256`. On a checksum or size mismatch the partial
 * file is deleted and the error names the file, the expected and the actual value. When `dest`
 * exists it is hashed and checked the same way, and nothing is fetched.
 */
export async function download(dest: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const o = parseOptions(schema, options, 'download()');
  const sha256File = `${dest}.sha256`;
  const recorded = await readRecorded(sha256File);
  const want = o.sha256?.toLowerCase() ?? recorded;
  const wantFrom = o.sha256 ? 'expected' : `recorded in ${sha256File} at the first download`;
  const existing = await stat(dest).catch(() => undefined);
  if (existing?.isFile()) {
    const h = await hashFile(dest, existing.size);
    if (want && h !== want) throw new TinyImageNetError(`sha256 ${h}, ${wantFrom} ${want}; delete it to download again`, { file: dest });
    if (recorded !== h) await writeAtomic(sha256File, new TextEncoder().encode(`${h}  ${basename(dest)}\n`));
    return { path: dest, bytes: existing.size, sha256: h, resumedFrom: existing.size, sha256File };
  }
  await mkdir(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const have0 = (await stat(part).catch(() => undefined))?.size ?? 0;
  const saved = await readFile(`${part}.json`, 'utf8')
    .then((t) => JSON.parse(t) as { url?: unknown; validator?: unknown })
    .catch(() => undefined);
  const state: PartState = {
    have: have0,
    validator: saved?.url === o.url && typeof saved.validator === 'string' ? saved.validator : undefined,
    restarted: false,
  };
  let total: number | undefined;
  for (let retry = 0; ; retry++) {
    try {
      total = await attempt(o, part, state);
      break;
    } catch (e) {
      if (!(e instanceof RetryableError) || o.signal?.aborted) throw e;
      if (retry >= o.retries) {
        const tries = o.retries + 1;
        throw new TinyImageNetError(`${e.message} (${tries} attempt${tries > 1 ? 's' : ''}; rerun to resume)`, { file: o.url, cause: e });
      }
      const delayMs = o.retryDelayMs * 2 ** retry;
      o.onRetry?.({ attempt: retry + 1, retries: o.retries, delayMs, have: state.have, error: e });
      await sleep(delayMs, undefined, o.signal ? { signal: o.signal } : {});
    }
  }
  const resumedFrom = state.restarted ? 0 : have0;
  const size = (await stat(part)).size;
  o.onProgress?.({ phase: 'verify', done: 0, total: size });
  const expectedSize = o.size ?? total;
  if (expectedSize !== undefined && size !== expectedSize) {
    if (size > expectedSize) await rm(part, { force: true });
    throw new TinyImageNetError(`size ${size} bytes, expected ${expectedSize}${size > expectedSize ? ' (deleted)' : ' (rerun to resume)'}`, { file: part });
  }
  const digest = await hashFile(part, size);
  if (want && digest !== want) {
    await rm(part, { force: true });
    await rm(`${part}.json`, { force: true });
    throw new TinyImageNetError(`checksum mismatch: sha256 ${digest}, ${wantFrom} ${want} (partial file deleted)`, { file: part });
  }
  o.onProgress?.({ phase: 'verify', done: size, total: size });
  await rename(part, dest);
  await rm(`${part}.json`, { force: true });
  await writeAtomic(sha256File, new TextEncoder().encode(`${digest}  ${basename(dest)}\n`));
  return { path: dest, bytes: size, sha256: digest, resumedFrom, sha256File };
}
