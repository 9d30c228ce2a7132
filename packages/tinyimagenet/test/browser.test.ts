import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPreparedCache } from '../src/browser';
import { loadTinyImageNet } from '../src/index';
import { smallSet, tempDir } from './fixtures';

let server: http.Server;
let base: string;
let cacheDir: string;
let ds: Awaited<ReturnType<typeof smallSet>>;

beforeAll(async () => {
  ds = await smallSet({ seed: 11 });
  cacheDir = tempDir();
  await loadTinyImageNet({ source: ds.zipPath!, split: 'val', cacheDir });
  await loadTinyImageNet({ source: ds.zipPath!, split: 'train', classes: 2, perClass: 3, cacheDir });
  // A static file server over the cache folder, like the browser example's dev server.
  server = http.createServer((req, res) => {
    const path = normalize(join(cacheDir, decodeURIComponent((req.url ?? '/').replace(/^\/data\//, '/'))));
    if (!path.startsWith(cacheDir)) return void res.writeHead(403).end();
    readFile(path).then(
      (b) => res.writeHead(200, { 'Content-Length': b.length }).end(b),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/data`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('loadPreparedCache (browser entry, over fetch)', () => {
  it('loads the same split as the Node loader', async () => {
    const viaNode = await loadTinyImageNet({ source: ds.zipPath!, split: 'val', cacheDir });
    let last = 0;
    const viaFetch = await loadPreparedCache(base, 'val', { onProgress: (p) => (last = p.done) });
    expect(viaFetch.count).toBe(12);
    expect(viaFetch.classes).toEqual(viaNode.classes);
    expect(Array.from(viaFetch.labels)).toEqual(Array.from(viaNode.labels));
    expect(Buffer.from(viaFetch.images).equals(Buffer.from(viaNode.images))).toBe(true);
    expect(last).toBe(12 * 64 * 64 * 3 + 12 * 4);
    const sub = await loadPreparedCache(`${base}/`, 'train-2c-3pc');
    expect(Array.from(sub.labels)).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it('names the URL on errors', async () => {
    await expect(loadPreparedCache(base, 'nope')).rejects.toThrow(/\/data\/nope\.json: HTTP 404/);
  });
});
