import { defineConfig } from 'vite';
import { crossOriginIsolation, tfjsWasmFiles } from './vite-plugins';

/**
 * The page needs cross-origin isolation (COOP same-origin + COEP require-corp) so that
 * SharedArrayBuffer, hence threaded wasm, is available; dev and preview servers send both headers.
 * The tfjs wasm binaries are served from node_modules in dev and copied into the build under
 * `tfjs-wasm/`, so nothing is ever fetched from a CDN.
 */
export default defineConfig({
  plugins: [crossOriginIsolation(), tfjsWasmFiles()],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
