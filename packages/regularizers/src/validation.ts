import { z } from 'zod';

/**
 * A regularisation strength: a finite number `>= 0`. Rejects NaN, +/-Infinity and negatives.
 */
export const lambdaSchema = z
  .number({ invalid_type_error: 'must be a number', required_error: 'is required' })
  .finite('must be finite')
  .nonnegative('must be >= 0');

/** A fraction in [0, 1] (e.g. scikit-learn's `l1_ratio`). */
export const unitIntervalSchema = z
  .number({ invalid_type_error: 'must be a number', required_error: 'is required' })
  .min(0, 'must be in [0, 1]')
  .max(1, 'must be in [0, 1]');

function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (value instanceof RegExp) return String(value);
  if (typeof value === 'function') return 'a function';
  return Array.isArray(value) ? 'an array' : 'an object';
}

function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/**
 * Validates `input` against `schema` once, at the public boundary.
 *
 * @param where - the public function, e.g. `"penalty()"`, named in the error.
 * @param optionPrefix - prefix for the option path, e.g. `"options."` (default: none).
 * @throws Error `"<where>: invalid option \"<path>\": <reason> (got <value>)"`, one line per issue.
 */
export function parseOptions<S extends z.ZodTypeAny>(schema: S, input: unknown, where: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data as z.output<S>;
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : 'options';
    const got = describeValue(valueAt(input, issue.path));
    return `${where}: invalid option "${path}": ${issue.message} (got ${got})`;
  });
  throw new Error(lines.join('\n'));
}
