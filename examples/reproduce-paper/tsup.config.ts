import { defineConfig } from 'tsup';

// One ESM entry: the CLI. Workspace packages stay external (imported through their exports).
export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  banner: { js: '#!/usr/bin/env node' },
});
