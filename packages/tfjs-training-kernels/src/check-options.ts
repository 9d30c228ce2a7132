import { parseOptions } from '@regstudy/options';
import { z } from 'zod';

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { error: 'expected a function' });
const threads = z.number().int().min(1);

/** `useBackend(choice, options)`'s options (Node). */
const nodeOptionsSchema = z.strictObject({
  threads: threads.optional(),
  dawnFlags: z.array(z.string()).optional(),
  importModule: fn.optional(),
});

/** `useBrowserBackend(choice, options)`'s options. */
const browserOptionsSchema = z.strictObject({
  threads: threads.optional(),
  wasmPaths: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
  importModule: fn.optional(),
  gpu: z.unknown().optional(),
  probeWebGl: fn.optional(),
});

/**
 * Validates a backend choice and the options of `useBackend` / `useBrowserBackend` once, at the
 * boundary. Throws `OptionsError` (from `@regstudy/options`) naming the function and each bad
 * option, e.g. `useBackend(): option 'threads': expected an integer >= 1, got 0`.
 */
export function checkBackendOptions(
  where: 'useBackend' | 'useBrowserBackend',
  choice: unknown,
  choices: readonly string[],
  options: unknown,
): void {
  parseOptions(z.object({ backend: z.enum(choices as [string, ...string[]]) }), { backend: choice }, `${where}()`);
  parseOptions(where === 'useBackend' ? nodeOptionsSchema : browserOptionsSchema, options, `${where}()`);
}
