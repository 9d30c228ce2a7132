import { defineConfig } from 'tsup';

export default defineConfig({
  // index: Node entry (exports condition `node`); browser: condition `default` and `./browser`;
  // cli: the `regstudy-tinyimagenet` bin (its CJS copy is unused); decode-worker: the worker
  // threads of prepare (decode-pool.ts starts dist/decode-worker.cjs; its ESM copy is unused).
  entry: { index: 'src/index.ts', browser: 'src/browser.ts', cli: 'src/cli.ts', 'decode-worker': 'src/decode-worker.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', browser: 'src/browser.ts' } },
  sourcemap: true,
  clean: true,
  // import.meta.url (decode-pool.ts finds its worker file) in the CJS build.
  shims: true,
});
