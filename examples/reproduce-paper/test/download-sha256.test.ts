import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError, parseCliArgs } from '../src/cli/args';
import { resolvePlan } from '../src/cli/plan';
import { prepareData } from '../src/run/data';

// Not a zip: every case here stops at the checksum, before the data would be read.
const body = randomBytes(50_000);
const sha = createHash('sha256').update(body).digest('hex');
let server: http.Server;
let url: string;
beforeAll(async () => {
  server = http.createServer((_req, res) => res.writeHead(200, { 'Content-Length': body.length }).end(body));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tiny.zip`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const cache = () => mkdtempSync(join(tmpdir(), 'rp-sha-'));
const quiet = { note: () => undefined };

describe('--sha256', () => {
  it('is read as lowercase hex and checked for 64 hex digits', () => {
    expect(parseCliArgs(['--data', url, '--sha256', sha.toUpperCase()]).sha256).toBe(sha);
    expect(() => parseCliArgs(['--sha256', 'abc'])).toThrow(new CliError('--sha256: expected 64 hex digits, got "abc"'));
  });

  it('goes with a --data URL only', () => {
    const plan = resolvePlan(parseCliArgs(['--data', url, '--sha256', sha]), '/tmp');
    expect(plan.data).toMatchObject({ kind: 'tiny-imagenet', source: url, sha256: sha });
    expect(() => resolvePlan(parseCliArgs(['--data', 'x.zip', '--sha256', sha]), '/tmp')).toThrow(/^--sha256: checks a download, but --data "x.zip" is not an http\(s\) URL$/);
    expect(() => resolvePlan(parseCliArgs(['--sha256', sha]), '/tmp')).toThrow(/^--sha256: checks a download, but no --data URL is given/);
  });

  it('a wrong --sha256 stops with the file and both hashes', async () => {
    const dir = cache();
    const wrong = '0'.repeat(64);
    const plan = resolvePlan(parseCliArgs(['--data', url, '--sha256', wrong, '--cache', dir]), '/tmp');
    await expect(prepareData(plan, quiet)).rejects.toThrow(
      `${join(dir, 'downloads', 'tiny.zip.part')}: checksum mismatch: sha256 ${sha}, expected ${wrong} (partial file deleted)`,
    );
  });

  it('without --sha256 the first download\'s is recorded and a changed zip is caught on the next run', async () => {
    const dir = cache();
    const plan = resolvePlan(parseCliArgs(['--data', url, '--cache', dir]), '/tmp');
    const notes: string[] = [];
    await expect(prepareData(plan, { note: (t) => notes.push(t) })).rejects.toThrow(); // not a zip
    const zip = join(dir, 'downloads', 'tiny.zip');
    expect(readFileSync(`${zip}.sha256`, 'utf8')).toBe(`${sha}  tiny.zip\n`);
    expect(notes.some((n) => n.includes(`sha256 ${sha} recorded in ${zip}.sha256`))).toBe(true);
    writeFileSync(zip, 'changed');
    const changed = createHash('sha256').update('changed').digest('hex');
    await expect(prepareData(plan, quiet)).rejects.toThrow(`${zip}: sha256 ${changed}, recorded in ${zip}.sha256 at the first download ${sha}`);
  });
});
