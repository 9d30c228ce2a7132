import { OptionsError as SharedOptionsError } from '@regstudy/options';
import { describe, expect, it } from 'vitest';
import { OptionsError, penalty } from '../src/index';

// The one options dialect shared by every @regstudy package (see @regstudy/options).
describe('@regstudy/regularizers bad options', () => {
  it('throws the shared OptionsError naming the option and the value it got', () => {
    expect(OptionsError).toBe(SharedOptionsError);
    let caught: unknown;
    try {
      penalty([], { l1: -1 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(OptionsError);
    expect(caught).toMatchObject({
      name: 'OptionsError',
      code: 'ERR_REGSTUDY_OPTIONS',
      where: 'penalty()',
      option: 'l1',
      message: "penalty(): option 'l1': expected a number >= 0, got -1",
    });
  });
});
