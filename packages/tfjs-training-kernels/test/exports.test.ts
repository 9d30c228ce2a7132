import { describe, expect, it } from 'vitest';
import { importBuiltPackage } from '@regstudy/repo-checks';
import * as browser from '../src/browser';
import * as source from '../src/index';
import * as internal from '../src/internal';
import * as node from '../src/node';

// Imports the built dist/ through the package's own exports map, in a fresh Node process.
const entries: [string, Record<string, unknown>][] = [
  ['@regstudy/tfjs-training-kernels', source],
  ['@regstudy/tfjs-training-kernels/node', node],
  ['@regstudy/tfjs-training-kernels/browser', browser],
  ['@regstudy/tfjs-training-kernels/internal', internal],
];

describe.each(entries)('%s built output', (name, module) => {
  const expected = Object.keys(module).sort();
  it('imports as ESM with the same exports as src/', async () => {
    const { keys } = await importBuiltPackage(process.cwd(), name, 'esm');
    expect(keys).toEqual(expected);
  });
  it('requires as CJS with the same exports as src/', async () => {
    const { keys } = await importBuiltPackage(process.cwd(), name, 'cjs');
    expect(keys.filter((k) => k !== 'default' && k !== 'module.exports')).toEqual(expected);
  });
});
