import { OptionsError as SharedOptionsError } from '@regstudy/options';
import { describe, expect, it } from 'vitest';
import { loadPreparedCache, OptionsError as BrowserOptionsError } from '../src/browser';
import { OptionsError, loadTinyImageNet } from '../src/index';

// The one options dialect shared by every @regstudy package (see @regstudy/options).
describe('@regstudy/tinyimagenet bad options', () => {
  it('throws the shared OptionsError naming the option and the value it got', async () => {
    expect(OptionsError).toBe(SharedOptionsError);
    const caught = await loadTinyImageNet({ source: '/nonexistent', split: 'test' as 'val' }).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(OptionsError);
    expect(caught).toMatchObject({
      name: 'OptionsError',
      code: 'ERR_REGSTUDY_OPTIONS',
      where: 'loadTinyImageNet()',
      option: 'split',
      message: `loadTinyImageNet(): option 'split': expected one of "train", "val", got "test"`,
    });
  });

  it('the browser entry throws the same class in the same shape', async () => {
    expect(BrowserOptionsError).toBe(SharedOptionsError);
    const caught = await loadPreparedCache('http://localhost/', 'train', { fetch: 3 as never }).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(OptionsError);
    expect((caught as Error).message).toBe("loadPreparedCache(): option 'fetch': expected a function, got 3");
  });
});
