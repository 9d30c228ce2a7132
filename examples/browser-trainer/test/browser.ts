// Helpers of the end-to-end test: build if stale, serve dist/ with the isolation headers, launch Chromium.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { build, preview, type Plugin, type PreviewServer } from 'vite';
import { chromium, type BrowserContext } from 'playwright-core';

export const exampleDir = resolve(import.meta.dirname, '..');
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Runs `vite build` unless dist/index.html is newer than every source file. */
export async function buildIfStale(): Promise<void> {
  const out = join(exampleDir, 'dist', 'index.html');
  const sources = Math.max(newestMtime(join(exampleDir, 'src')), statSync(join(exampleDir, 'index.html')).mtimeMs);
  if (existsSync(out) && statSync(out).mtimeMs > sources) return;
  await build({ root: exampleDir, logLevel: 'warn' });
}

/** Serves the files of `dir` (flat) under the URL folder `prefix` of the preview server. */
function serveFolder(prefix: string, dir: string): Plugin {
  return {
    name: 'test:serve-folder',
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0] ?? '';
        if (!path.startsWith(prefix)) return next();
        const file = join(dir, decodeURIComponent(path.slice(prefix.length)));
        if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) return next();
        res.setHeader('Content-Type', file.endsWith('.json') ? 'application/json' : 'application/octet-stream');
        res.end(readFileSync(file));
      });
    },
  };
}

/**
 * Serves dist/ on 127.0.0.1 (a free port) through `vite preview`, with the isolation headers,
 * plus each `extra` folder (URL prefix -> directory).
 */
export async function serveBuilt(extra: Record<string, string> = {}): Promise<{ server: PreviewServer; url: string }> {
  const server = await preview({
    root: exampleDir,
    logLevel: 'warn',
    plugins: Object.entries(extra).map(([prefix, dir]) => serveFolder(prefix, dir)),
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const addr = server.httpServer.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${addr.port}/` };
}

/**
 * Debian's Chromium, headless, fresh profile, no network side traffic. WebGL runs on the CPU
 * through ANGLE's SwiftShader (there is no GPU on CI).
 */
export async function launchChromium(): Promise<{ ctx: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'browser-trainer-profile-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 1000 },
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  });
  const close = async (): Promise<void> => {
    await ctx.close();
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    } catch (e) {
      console.warn(`browser-trainer e2e: could not remove the profile ${profile}: ${String(e)}`);
    }
  };
  return { ctx, close };
}
