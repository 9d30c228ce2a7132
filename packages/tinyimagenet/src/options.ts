import type { z } from 'zod';

/**
 * Validates an options object once at the API boundary. The error names the function and every
 * offending option path, e.g. `batches: option 'batchSize': Too small: expected number to be >0`.
 */
export function parseOptions<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const res = schema.safeParse(value);
  if (res.success) return res.data;
  const msgs = res.error.issues.map((i) => `option '${i.path.join('.') || '(root)'}': ${i.message}`);
  throw new TypeError(`${where}: ${msgs.join('; ')}`);
}
