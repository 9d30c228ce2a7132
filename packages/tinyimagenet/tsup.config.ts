import { defineConfig } from 'tsup';

export default defineConfig({
  // index: Node entry (exports condition `node`); browser: condition `default` and `./browser`;
  // cli: the `regstudy-tinyimagenet` bin (its CJS copy is unused).
  entry: { index: 'src/index.ts', browser: 'src/browser.ts', cli: 'src/cli.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', browser: 'src/browser.ts' } },
  sourcemap: true,
  clean: true,
  // import.meta.url (decode-pool.ts resolves sharp for its workers) in the CJS build.
  shims: true,
});
