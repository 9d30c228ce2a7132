import { describeValue } from './describe-value';

/**
 * A zod `error` for a check whose expectation only you can word (`z.custom`, `.refine`), in the
 * same shape as every other message: `expected <what>, got <value>`, or `is required` when the
 * value is missing.
 *
 * @example z.custom<LayersModel>(isModel, { error: expectedValue('a tf.LayersModel') })
 */
export function expectedValue(what: string): (issue: { readonly input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? 'is required' : `expected ${what}, got ${describeValue(issue.input)}`);
}
