// Public API of @regstudy/options: re-exports only.
export { OptionsError } from './options-error';
export type { OptionIssue } from './options-error';
export { parseOptions } from './parse-options';
export { optionsErrorMap } from './describe-issue';
export { expectedValue } from './expected-value';
export { describeValue } from './describe-value';
export { DiskFullError } from './disk-full';
export type { StatFs } from './disk-full';
