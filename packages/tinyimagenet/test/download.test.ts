import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download, type DownloadRetry } from '../src/index';
import { tempDir } from './fixtures';

const body = randomBytes(300_000);
const sha = createHash('sha256').update(body).digest('hex');
const log: { path: string; range: string | undefined; ifRange: string | undefined }[] = [];
let cutAfter: number | undefined; // serve only this many bytes, then drop the connection
let stallAfter: number | undefined; // serve only this many bytes, then send nothing (connection kept open)
let ignoreRange = false;
// What the server serves now, and its ETag (a changed file gets a new one).
let current = { body, etag: '"v1"' };
const stalled: http.ServerResponse[] = [];
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    log.push({ path: req.url ?? '', range: req.headers.range, ifRange: String(req.headers['if-range'] ?? '') || undefined });
    const { body, etag } = current;
    if (req.url === '/missing.zip') {
      res.writeHead(404).end();
      return;
    }
    if (req.url === '/moved.zip') {
      res.writeHead(302, { Location: '/tiny.zip' }).end();
      return;
    }
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = log.at(-1)!.ifRange;
    if (m && !ignoreRange && (ifRange === undefined || ifRange === etag)) {
      start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, { 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`, 'Content-Length': body.length - start, ETag: etag });
    } else {
      res.writeHead(200, { 'Content-Length': body.length, ETag: etag });
    }
    const slice = body.subarray(start);
    if (cutAfter !== undefined) {
      const n = cutAfter;
      cutAfter = undefined;
      res.write(slice.subarray(0, n), () => setTimeout(() => res.destroy(), 20));
    } else if (stallAfter !== undefined) {
      const n = stallAfter;
      stallAfter = undefined;
      res.write(slice.subarray(0, n));
      stalled.push(res);
    } else res.end(slice);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  stalled.forEach((res) => res.destroy());
  return new Promise<void>((r) => server.close(() => r()));
});

describe('download (loopback HTTP server)', () => {
  it('downloads, verifies sha256 and renames into place', async () => {
    const dest = join(tempDir(), 'a', 'tiny.zip');
    const seen: number[] = [];
    const r = await download(dest, { url: `${base}/tiny.zip`, sha256: sha, onProgress: (p) => p.phase === 'download' && seen.push(p.done) });
    expect(r).toMatchObject({ bytes: body.length, sha256: sha, resumedFrom: 0 });
    expect(readFileSync(dest).equals(body)).toBe(true);
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(seen.at(-1)).toBe(body.length);
    // Already there and valid: nothing fetched.
    const n = log.length;
    await download(dest, { url: `${base}/tiny.zip`, sha256: sha });
    expect(log.length).toBe(n);
  });

  it('resumes an interrupted download with a Range request', async () => {
    const dest = join(tempDir(), 'tiny.zip');
    cutAfter = 120_000;
    await expect(download(dest, { url: `${base}/tiny.zip`, sha256: sha, retries: 0 })).rejects.toThrow(/rerun to resume/);
    expect(existsSync(dest)).toBe(false);
    const partial = statSync(`${dest}.part`).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(body.length);
    const r = await download(dest, { url: `${base}/tiny.zip`, sha256: sha });
    expect(log.at(-1)!.range).toBe(`bytes=${partial}-`);
    expect(r.resumedFrom).toBe(partial);
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  it('starts over when the server ignores Range, and follows redirects', async () => {
    const dest = join(tempDir(), 'tiny.zip');
    cutAfter = 50_000;
    await expect(download(dest, { url: `${base}/moved.zip`, retries: 0 })).rejects.toThrow(/interrupted/);
    ignoreRange = true;
    try {
      const r = await download(dest, { url: `${base}/moved.zip`, sha256: sha });
      expect(r.resumedFrom).toBe(0);
    } finally {
      ignoreRange = false;
    }
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  it('rejects a checksum mismatch and leaves nothing behind', async () => {
    const dir = tempDir();
    const dest = join(dir, 'tiny.zip');
    const wrong = '0'.repeat(64);
    await expect(download(dest, { url: `${base}/tiny.zip`, sha256: wrong })).rejects.toThrow(
      new RegExp(`tiny\\.zip\\.part: checksum mismatch: sha256 ${sha}, expected ${wrong}`),
    );
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('aborts an attempt that goes silent after half the body and resumes it after a backoff', async () => {
    const dest = join(tempDir(), 'tiny.zip');
    const half = body.length / 2;
    stallAfter = half;
    const retries: DownloadRetry[] = [];
    const started = Date.now();
    const r = await download(dest, { url: `${base}/tiny.zip`, idleTimeoutMs: 200, retryDelayMs: 20, onRetry: (x) => retries.push(x) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempt: 1, retries: 3, delayMs: 20, have: half });
    expect(retries[0]!.error.message).toMatch(/no data for 200 ms/);
    expect(log.at(-1)).toMatchObject({ range: `bytes=${half}-`, ifRange: '"v1"' });
    expect(r).toMatchObject({ bytes: body.length, sha256: sha, resumedFrom: 0 });
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  it('gives up after `retries` stalled attempts with one error naming the URL and the attempts', async () => {
    const dest = join(tempDir(), 'tiny.zip');
    const slow = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Length': body.length });
      res.write(body.subarray(0, 10));
      stalled.push(res);
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/tiny.zip`;
    try {
      await expect(download(dest, { url, idleTimeoutMs: 100, retries: 2, retryDelayMs: 1 })).rejects.toThrow(
        `${url}: download interrupted at 10 bytes: no data for 100 ms (3 attempts; rerun to resume)`,
      );
    } finally {
      stalled.forEach((res) => res.destroy());
      await new Promise<void>((r) => slow.close(() => r()));
    }
  });

  it('sends If-Range with the ETag and starts over when the file changed between attempts', async () => {
    const dest = join(tempDir(), 'tiny.zip');
    cutAfter = 120_000;
    await expect(download(dest, { url: `${base}/tiny.zip`, retries: 0 })).rejects.toThrow(/rerun to resume/);
    const changed = randomBytes(250_000);
    current = { body: changed, etag: '"v2"' };
    try {
      const r = await download(dest, { url: `${base}/tiny.zip` });
      expect(log.at(-1)).toMatchObject({ range: 'bytes=120000-', ifRange: '"v1"' });
      expect(r.resumedFrom).toBe(0);
      expect(readFileSync(dest).equals(changed)).toBe(true);
    } finally {
      current = { body, etag: '"v1"' };
    }
  });

  it('records the first download\'s sha256 next to the file and checks it on later uses', async () => {
    const dest = join(tempDir(), 'tiny.zip');
    const r = await download(dest, { url: `${base}/tiny.zip` });
    expect(r.sha256File).toBe(`${dest}.sha256`);
    expect(readFileSync(`${dest}.sha256`, 'utf8')).toBe(`${sha}  tiny.zip\n`);
    const n = log.length;
    await expect(download(dest, { url: `${base}/tiny.zip` })).resolves.toMatchObject({ sha256: sha });
    writeFileSync(dest, 'not the archive');
    const other = createHash('sha256').update('not the archive').digest('hex');
    await expect(download(dest, { url: `${base}/tiny.zip` })).rejects.toThrow(
      `${dest}: sha256 ${other}, recorded in ${dest}.sha256 at the first download ${sha}; delete it to download again`,
    );
    expect(log.length).toBe(n);
    const wrong = 'f'.repeat(64);
    await expect(download(dest, { url: `${base}/tiny.zip`, sha256: wrong })).rejects.toThrow(`${dest}: sha256 ${other}, expected ${wrong}`);
  });

  it('reports HTTP errors and bad options', async () => {
    await expect(download(join(tempDir(), 'x.zip'), { url: `${base}/missing.zip` })).rejects.toThrow(/missing\.zip: HTTP 404/);
    await expect(download(join(tempDir(), 'x.zip'), { url: `${base}/tiny.zip`, sha256: 'abc' })).rejects.toThrow(`download(): option 'sha256': expected 64 hex digits, got "abc"`);
    await expect(download(join(tempDir(), 'x.zip'), { url: `${base}/tiny.zip`, idleTimeoutMs: 0 })).rejects.toThrow(`download(): option 'idleTimeoutMs'`);
    await expect(download(join(tempDir(), 'x.zip'), { url: `${base}/tiny.zip`, retries: -1 })).rejects.toThrow(`download(): option 'retries'`);
  });
});
