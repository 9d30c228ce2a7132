import { OptionsError, describeValue } from '@regstudy/options';
import { parseManifest, splitFromCache } from './cache-format';
import { TinyImageNetError } from './errors';
import type { TinyImageNetSplit } from './split';

/** Options of {@link loadPreparedCache}. */
export interface LoadPreparedCacheOptions {
  /** The fetch to use (default: globalThis.fetch). */
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Bytes received so far, of the images file then the labels file. */
  onProgress?: (p: { phase: 'read'; done: number; total: number }) => void;
}

async function getBytes(f: typeof fetch, url: string, signal: AbortSignal | undefined, onBytes?: (n: number, total: number) => void): Promise<Uint8Array> {
  const res = await f(url, { signal });
  if (!res.ok) throw new TinyImageNetError(`HTTP ${res.status} ${res.statusText}`.trim(), { file: url });
  const total = Number(res.headers.get('content-length') ?? 0);
  if (!res.body || !onBytes) return new Uint8Array(await res.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let n = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    n += value.byteLength;
    onBytes(n, total);
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

/**
 * Loads a split prepared by the Node package (`loadTinyImageNet({ cacheDir })` or the CLI's
 * `prepare`) over HTTP: fetches `<baseUrl>/<name>.json`, then the images and labels files it
 * names. `name` is the cache name: 'train', 'val', or e.g. 'train-10c-100pc' for a subset.
 * Works in browsers, workers and Node >= 18 (global fetch).
 */
export async function loadPreparedCache(baseUrl: string, name: string, options: LoadPreparedCacheOptions = {}): Promise<TinyImageNetSplit> {
  const f = options.fetch ?? globalThis.fetch;
  if (typeof f !== 'function') {
    const message = options.fetch === undefined ? 'is required: this runtime has no global fetch' : `expected a function, got ${describeValue(f)}`;
    throw new OptionsError('loadPreparedCache()', { option: 'fetch', message });
  }
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const manifestUrl = new URL(`${name}.json`, new URL(base, (globalThis as { location?: { href: string } }).location?.href ?? undefined)).toString();
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(await getBytes(f, manifestUrl, options.signal)));
  } catch (e) {
    if (e instanceof TinyImageNetError) throw e;
    throw new TinyImageNetError(`cannot parse cache manifest: ${e instanceof Error ? e.message : String(e)}`, { file: manifestUrl });
  }
  const m = parseManifest(json);
  if (typeof m === 'string') throw new TinyImageNetError(m, { file: manifestUrl });
  const total = m.files.images.bytes + m.files.labels.bytes;
  const images = await getBytes(f, new URL(m.files.images.name, manifestUrl).toString(), options.signal, options.onProgress ? (n) => options.onProgress!({ phase: 'read', done: n, total }) : undefined);
  const labels = await getBytes(f, new URL(m.files.labels.name, manifestUrl).toString(), options.signal);
  options.onProgress?.({ phase: 'read', done: total, total });
  try {
    return splitFromCache(m, images, labels, manifestUrl);
  } catch (e) {
    throw new TinyImageNetError(e instanceof Error ? e.message : String(e), { cause: e });
  }
}
