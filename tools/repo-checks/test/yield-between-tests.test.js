import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout } from 'node:timers';
import { describe, expect, it } from 'vitest';

// This package's own vitest config uses the setup file, so these two tests check what it does:
// a timer set in one synchronous test has fired before the next test starts (without the setup
// file, vitest runs the next test in the same macrotask and the second test fails).
describe('yield-between-tests', () => {
  let fired = false;
  it('a test that sets a timer and keeps the thread busy', () => {
    setTimeout(() => {
      fired = true;
    }, 0);
    const start = Date.now();
    while (Date.now() - start < 20) {
      /* a synchronous stretch, as a tfjs kernel test has */
    }
    expect(fired).toBe(false);
  });
  it('sees the event loop turn before the next test', () => {
    expect(fired).toBe(true);
  });

  it('is the setup file of every vitest config in the workspace', () => {
    const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', '..');
    const configs = ['packages', 'examples', 'tools']
      .flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name)))
      .flatMap((dir) => ['vitest.config.ts', 'vitest.config.js'].map((f) => join(dir, f)))
      .filter((f) => existsSync(f));
    expect(configs.length).toBeGreaterThanOrEqual(9);
    const missing = configs.filter((f) => !readFileSync(f, 'utf8').includes("'@regstudy/repo-checks/yield-between-tests'"));
    expect(missing).toEqual([]);
  });
});
