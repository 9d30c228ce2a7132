import type { VariableSource } from './variables';

/** What a step hook needs to know about the optimizer step that just ran. */
export interface StepContext {
  /** Learning rate of the step just taken (after any schedule). */
  learningRate: number;
}

/**
 * A weight update applied right AFTER `optimizer.applyGradients` / `optimizer.minimize`,
 * outside the gradient (e.g. a proximal step or decoupled decay). Allocates no tensors that
 * outlive the call.
 */
export interface StepHook {
  /** Short name for logs, e.g. `proximalL1(lambda=0.0001)`. */
  readonly name: string;
  /** Updates the selected trainable variables of `vars` in place. */
  apply(vars: VariableSource, ctx: StepContext): void;
}
