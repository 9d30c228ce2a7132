import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { OptionsError, describeValue } from '../src/index';

describe('OptionsError', () => {
  const err = new OptionsError('train()', { option: 'regularization.l1', message: 'expected a number >= 0, got -1' });

  it('carries name, code, where, option and issues, and extends TypeError', () => {
    expect(err.message).toBe("train(): option 'regularization.l1': expected a number >= 0, got -1");
    expect(err).toMatchObject({ name: 'OptionsError', code: 'ERR_REGSTUDY_OPTIONS', where: 'train()', option: 'regularization.l1' });
    expect(err.issues).toEqual([{ option: 'regularization.l1', message: 'expected a number >= 0, got -1' }]);
    expect(err).toBeInstanceOf(TypeError);
    expect(String(err)).toBe(`OptionsError: ${err.message}`);
    expect(Object.keys(err)).not.toContain('undefined');
  });

  it('refuses an empty issue list', () => {
    expect(() => new OptionsError('f()', [])).toThrow(RangeError);
  });

  it('is recognised by instanceof across copies of the package (the built CJS next to this ESM source)', () => {
    const require = createRequire(import.meta.url);
    const cjs = require('../dist/index.cjs') as { OptionsError: typeof OptionsError };
    expect(cjs.OptionsError).not.toBe(OptionsError);
    const fromCjs = new cjs.OptionsError('f()', { option: 'a', message: 'is required' });
    expect(fromCjs).toBeInstanceOf(OptionsError);
    expect(err).toBeInstanceOf(cjs.OptionsError);
    expect(new TypeError('x')).not.toBeInstanceOf(OptionsError);
    expect(Object.assign(new TypeError('x'), { name: 'OptionsError' })).not.toBeInstanceOf(OptionsError);
    expect(null).not.toBeInstanceOf(OptionsError);
  });

  it('keeps plain instanceof for a subclass', () => {
    class Sub extends OptionsError {}
    expect(new Sub('f()', { option: 'a', message: 'm' })).toBeInstanceOf(OptionsError);
    expect(err).not.toBeInstanceOf(Sub);
  });
});

describe('describeValue', () => {
  it('renders values short and without calling user code', () => {
    const trap = { toString: () => { throw new Error('called'); } };
    expect([-1, -0, Number.NaN, -Infinity, 2n, true, null, undefined].map(describeValue)).toEqual(['-1', '-0', 'NaN', '-Infinity', '2n', 'true', 'null', 'undefined']);
    expect(describeValue('biases')).toBe('"biases"');
    expect(describeValue('x'.repeat(50))).toBe(`"${'x'.repeat(37)}..."`);
    expect(describeValue(/^conv/g)).toBe('/^conv/g');
    expect(describeValue(() => 1)).toBe('a function');
    expect(describeValue([64, 64, 3])).toBe('[64, 64, 3]');
    expect(describeValue(new Array(7).fill(0))).toBe('an array of 7 items');
    expect(describeValue([trap])).toBe('an array of 1 item');
    expect(describeValue(trap)).toBe('an object');
    expect(describeValue(Symbol('s'))).toBe('Symbol(s)');
  });
});
