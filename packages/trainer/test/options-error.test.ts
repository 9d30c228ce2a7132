import { OptionsError as SharedOptionsError } from '@regstudy/options';
import { OptionsError as RegularizersOptionsError } from '@regstudy/regularizers';
import { describe, expect, it } from 'vitest';
import { OptionsError, train } from '../src/index';

// The one options dialect shared by every @regstudy package (see @regstudy/options). Validation
// happens before any tensor is touched, so no backend is needed here.
describe('@regstudy/trainer bad options', () => {
  it('throws the shared OptionsError naming the option and the value it got', async () => {
    expect(OptionsError).toBe(SharedOptionsError);
    const caught = await train({ epochs: 1, regularization: { l1: -1 } } as never).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(OptionsError);
    expect(caught).toBeInstanceOf(RegularizersOptionsError);
    expect(caught).toMatchObject({
      name: 'OptionsError',
      code: 'ERR_REGSTUDY_OPTIONS',
      where: 'train()',
      option: 'model',
    });
    expect((caught as OptionsError).issues).toEqual([
      { option: 'model', message: 'is required' },
      { option: 'train', message: 'is required' },
      { option: 'val', message: 'is required' },
      { option: 'regularization.l1', message: 'expected a number >= 0, got -1' },
    ]);
    expect((caught as Error).message).toBe(
      "train(): option 'model': is required; option 'train': is required; option 'val': is required; option 'regularization.l1': expected a number >= 0, got -1",
    );
  });
});
