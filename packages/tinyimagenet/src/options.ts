// The options dialect shared by every @regstudy package: `parseOptions` throws an `OptionsError`
// naming the function, each bad option and the value it got, e.g.
// `batches(): option 'batchSize': expected an integer > 0, got 0`.
export { expectedValue, parseOptions } from '@regstudy/options';
