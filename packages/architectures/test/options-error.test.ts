import '@tensorflow/tfjs-backend-cpu';
import { OptionsError as SharedOptionsError } from '@regstudy/options';
import { describe, expect, it } from 'vitest';
import { OptionsError, createModel } from '../src/index';

// The one options dialect shared by every @regstudy package (see @regstudy/options).
describe('@regstudy/architectures bad options', () => {
  it('throws the shared OptionsError naming the option and the value it got', () => {
    expect(OptionsError).toBe(SharedOptionsError);
    let caught: unknown;
    try {
      createModel('new', { numClasses: -1 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(OptionsError);
    expect(caught).toMatchObject({
      name: 'OptionsError',
      code: 'ERR_REGSTUDY_OPTIONS',
      where: 'createNewModel()',
      option: 'numClasses',
      message: "createNewModel(): option 'numClasses': expected an integer > 0, got -1",
    });
  });
});
