import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download } from '../src/index';
import { tempDir } from './fixtures';

const body = randomBytes(300_000);
const sha = createHash('sha256').update(body).digest('hex');
const log: { path: string; range: string | undefined }[] = [];
let cutAfter: number | undefined; // serve only this many bytes, then drop the connection
let ignoreRange = false;
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    log.push({ path: req.url ?? '', range: req.headers.range });
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
    if (m && !ignoreRange) {
      start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, { 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`, 'Content-Length': body.length - start });
    } else {
      res.writeHead(200, { 'Content-Length': body.length });
    }
    const slice = body.subarray(start);
    if (cutAfter !== undefined) {
      const n = cutAfter;
      cutAfter = undefined;
      res.write(slice.subarray(0, n), () => setTimeout(() => res.destroy(), 20));
    } else res.end(slice);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

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
    await expect(download(dest, { url: `${base}/tiny.zip`, sha256: sha })).rejects.toThrow(/rerun to resume/);
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
    await expect(download(dest, { url: `${base}/moved.zip` })).rejects.toThrow(/interrupted/);
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

  it('reports HTTP errors and bad options', async () => {
    await expect(download(join(tempDir(), 'x.zip'), { url: `${base}/missing.zip` })).rejects.toThrow(/missing\.zip: HTTP 404/);
    await expect(download(join(tempDir(), 'x.zip'), { url: `${base}/tiny.zip`, sha256: 'abc' })).rejects.toThrow(`download(): option 'sha256': expected 64 hex digits, got "abc"`);
  });
});
