import type { z } from 'zod';

/** Thrown when options fail validation; the message names every offending field. */
export class OptionsError extends TypeError {
  override name = 'OptionsError';
  constructor(
    message: string,
    /** Dotted paths of the offending fields, e.g. `regularization.l1`. */
    readonly fields: string[],
  ) {
    super(message);
  }
}

/** Parses `value` with `schema`; on failure throws {@link OptionsError} listing `what.field: problem`. */
export function parseOptions<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields: string[] = [];
  const lines = result.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.') || '(root)';
    fields.push(field);
    return `${what}.${field}: ${issue.message}`;
  });
  throw new OptionsError(`Invalid ${what}: ${lines.join('; ')}`, fields);
}
