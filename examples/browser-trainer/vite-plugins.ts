// Vite plugins of the example: cross-origin isolation headers and local tfjs wasm binaries.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Connect, Plugin } from 'vite';

/** Headers that make the page cross-origin isolated (`self.crossOriginIsolated === true`). */
export const isolationHeaders: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** URL folder (relative to the base) under which the tfjs wasm binaries are served. */
export const wasmDir = 'tfjs-wasm/';

/** The binaries of @tensorflow/tfjs-backend-wasm (plain, SIMD, threaded SIMD). */
export const wasmFiles = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;

function wasmDistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
}

const setHeaders: Connect.NextHandleFunction = (_req, res, next) => {
  for (const [k, v] of Object.entries(isolationHeaders)) res.setHeader(k, v);
  next();
};

/** Adds the isolation headers to every response of the dev and the preview server. */
export function crossOriginIsolation(): Plugin {
  return {
    name: 'browser-trainer:cross-origin-isolation',
    configureServer(server) {
      server.middlewares.use(setHeaders);
    },
    configurePreviewServer(server) {
      server.middlewares.use(setHeaders);
    },
  };
}

/** Serves the tfjs wasm binaries under `<base>tfjs-wasm/` in dev and emits them into the build. */
export function tfjsWasmFiles(): Plugin {
  let base = '/';
  return {
    name: 'browser-trainer:tfjs-wasm-files',
    configResolved(config) {
      base = config.base;
    },
    configureServer(server) {
      const dist = wasmDistDir();
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0] ?? '';
        const name = wasmFiles.find((f) => path === `${base}${wasmDir}${f}`);
        if (!name) return next();
        res.setHeader('Content-Type', 'application/wasm');
        res.end(readFileSync(join(dist, name)));
      });
    },
    generateBundle() {
      const dist = wasmDistDir();
      for (const name of wasmFiles) {
        this.emitFile({ type: 'asset', fileName: `${wasmDir}${name}`, source: readFileSync(join(dist, name)) });
      }
    },
  };
}
