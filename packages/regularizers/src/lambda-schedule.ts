import { z } from 'zod';
import { lambdaSchema, parseOptions } from './validation';

/** Shape of a regularisation-strength schedule. */
export type LambdaScheduleSpec =
  | { kind: 'constant' }
  | {
      kind: 'linearWarmup';
      /** Number of epochs over which lambda ramps from lambda/warmupEpochs up to lambda (integer >= 1). */
      warmupEpochs: number;
    };

/** `(epoch, lambda) => lambda_at_epoch`; `epoch` is 1-based (the trainer's convention). */
export type LambdaSchedule = (epoch: number, lambda: number) => number;

const specSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('constant') }).strict(),
  z.object({ kind: z.literal('linearWarmup'), warmupEpochs: z.number().int().min(1) }).strict(),
]);

const callSchema = z.object({
  epoch: z.number().min(0),
  lambda: lambdaSchema,
});

/**
 * A schedule for a regularisation coefficient.
 *
 * - `constant`: `lambda_e = lambda`.
 * - `linearWarmup`: `lambda_e = lambda * min(1, e / warmupEpochs)` for the 1-based epoch `e`
 *   (epoch 1 gets `lambda / warmupEpochs`, epochs `>= warmupEpochs` get `lambda`; `e = 0` gives 0).
 *   Fractional epochs (`e = epoch + batch / batches`) give a per-batch ramp.
 *
 * @throws OptionsError naming `kind` / `warmupEpochs` when the spec is invalid; the returned function
 *   throws naming `epoch` / `lambda` for negative or NaN inputs.
 */
export function lambdaSchedule(spec: LambdaScheduleSpec): LambdaSchedule {
  const s = parseOptions(specSchema, spec, 'lambdaSchedule()');
  return (epoch, lambda) => {
    const a = parseOptions(callSchema, { epoch, lambda }, 'lambdaSchedule()(epoch, lambda)');
    if (s.kind === 'constant') return a.lambda;
    return a.lambda * Math.min(1, a.epoch / s.warmupEpochs);
  };
}
