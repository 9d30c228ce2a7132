import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // After each test, one macrotask: see tools/repo-checks/src/yield-between-tests.js.
    setupFiles: ['@regstudy/repo-checks/yield-between-tests'],
    testTimeout: 180_000,
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
  },
});
