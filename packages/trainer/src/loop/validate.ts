// The options dialect shared by every @regstudy package: `parseOptions` throws an `OptionsError`
// naming the function, each bad option and the value it got, e.g.
// `train(): option 'regularization.l1': expected a number >= 0, got -1`.
export { OptionsError, expectedValue, parseOptions } from '@regstudy/options';
