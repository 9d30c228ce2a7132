import { z } from 'zod';

export { parseOptions } from '@regstudy/options';

/**
 * A regularisation strength: a finite number `>= 0`. Rejects NaN, +/-Infinity (zod 4's
 * `z.number()` is finite) and negatives.
 */
export const lambdaSchema = z.number().min(0);

/** A fraction in [0, 1] (e.g. scikit-learn's `l1_ratio`). */
export const unitIntervalSchema = z.number().min(0).max(1);
