import { describe, expect, it } from 'vitest';
import { importBuiltPackage } from '@regstudy/repo-checks';
import * as source from '../src/index';

// Imports the built dist/ through the package's own exports map, in a fresh Node process.
describe('@regstudy/options built output', () => {
  const expected = Object.keys(source).sort();
  it('imports as ESM with the same exports as src/', async () => {
    const { keys } = await importBuiltPackage(process.cwd(), '@regstudy/options', 'esm');
    expect(keys).toEqual(expected);
  });
  it('requires as CJS with the same exports as src/', async () => {
    const { keys } = await importBuiltPackage(process.cwd(), '@regstudy/options', 'cjs');
    expect(keys.filter((k) => k !== 'default' && k !== 'module.exports')).toEqual(expected);
  });
});
