import type { z } from 'zod';
import { optionsErrorMap } from './describe-issue';
import { OptionsError, type OptionIssue } from './options-error';

function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** One {@link OptionIssue} per bad option; an unknown-keys issue becomes one per unknown key. */
function toOptionIssues(issues: readonly z.core.$ZodIssue[]): OptionIssue[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ option: dotted([...issue.path, key]), message: issue.message }))
      : [{ option: dotted(issue.path), message: issue.message }],
  );
}

/**
 * Validates `value` against `schema` once, at a public function's boundary, and returns the parsed
 * value (defaults filled in).
 *
 * @param where - the public function as users call it, e.g. `'penalty()'`, named first in the message.
 * @throws {@link OptionsError} naming every bad option and the value it got, e.g.
 *   `penalty(): option 'l1': expected a number >= 0, got -1`.
 */
export function parseOptions<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value, { error: optionsErrorMap });
  if (result.success) return result.data;
  throw new OptionsError(where, toOptionIssues(result.error.issues));
}
