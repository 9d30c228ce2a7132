import { describe, expect, it } from 'vitest';
import { importBuiltPackage } from '@regstudy/repo-checks';
import * as source from '../src/index';
import * as browserSource from '../src/browser';

// Imports the built dist/ through the package's own exports map, in a fresh Node process.
describe('@regstudy/tinyimagenet built output', () => {
  const expected = Object.keys(source).sort();
  it('imports as ESM with the same exports as src/', async () => {
    const { keys } = await importBuiltPackage(process.cwd(), '@regstudy/tinyimagenet', 'esm');
    expect(keys).toEqual(expected);
  });
  it('requires as CJS with the same exports as src/', async () => {
    const { keys } = await importBuiltPackage(process.cwd(), '@regstudy/tinyimagenet', 'cjs');
    expect(keys.filter((k) => k !== 'default' && k !== 'module.exports')).toEqual(expected);
  });
});

describe('@regstudy/tinyimagenet/browser built output', () => {
  const expected = Object.keys(browserSource).sort();
  it('imports as ESM with the same exports as src/browser.ts', async () => {
    const { keys } = await importBuiltPackage(process.cwd(), '@regstudy/tinyimagenet/browser', 'esm');
    expect(keys).toEqual(expected);
  });
  it('requires as CJS with the same exports as src/browser.ts', async () => {
    const { keys } = await importBuiltPackage(process.cwd(), '@regstudy/tinyimagenet/browser', 'cjs');
    expect(keys.filter((k) => k !== 'default' && k !== 'module.exports')).toEqual(expected);
  });
  it('the browser bundle imports no Node built-in, sharp or yauzl', async () => {
    const { readFileSync } = await import('node:fs');
    // Walk the ESM entry and every chunk it imports; check the CJS bundle directly.
    const seen = new Set<string>();
    const queue = ['browser.js', 'browser.cjs'];
    const imported: string[] = [];
    while (queue.length) {
      const f = queue.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      const code = readFileSync(`dist/${f}`, 'utf8');
      for (const m of code.matchAll(/(?:from\s*|require\(|import\()\s*["']([^"']+)["']/g)) {
        const spec = m[1]!;
        if (spec.startsWith('./')) queue.push(spec.slice(2));
        else imported.push(spec);
      }
    }
    expect([...new Set(imported)].sort()).toEqual(['@regstudy/options', '@tensorflow/tfjs-core', 'zod']);
  });
});
