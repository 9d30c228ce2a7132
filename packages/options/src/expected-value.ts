import { describeValue } from './describe-value';

/**
 * A zod `error` for a check whose expectation only you can word (`z.custom`, `.refine`), in the
 * same shape as every other message: `expected <what>, got <value>`.
 *
 * @example z.custom<LayersModel>(isModel, { error: expectedValue('a tf.LayersModel') })
 */
export function expectedValue(what: string): (issue: { readonly input?: unknown }) => string {
  return (issue) => `expected ${what}, got ${describeValue(issue.input)}`;
}
