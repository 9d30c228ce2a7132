import { z } from 'zod';
import type { StepContext } from './step-hook';
import { lambdaSchema, parseOptions } from './validation';

const stepContextSchema = z.looseObject({ learningRate: lambdaSchema });

/** Validates the context passed to a step hook; errors name `ctx.learningRate`. */
export function parseStepContext(ctx: StepContext, where: string): StepContext {
  return parseOptions(z.object({ ctx: stepContextSchema }), { ctx }, where).ctx;
}
