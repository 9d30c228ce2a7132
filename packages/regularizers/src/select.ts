import type * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { expectedValue } from '@regstudy/options';
import { parseOptions } from './validation';
import { resolveVariables, type NamedVariable, type VariableSource } from './variables';

/**
 * Which trainable variables a penalty, decay or hook acts on.
 *
 * - `'all'`: every trainable variable, biases and batch-norm gamma/beta included. This is what
 *   the paper's PyTorch code did (`model.parameters()`).
 * - `'kernels'`: every trainable variable except biases and normalisation parameters: variables
 *   whose last name segment (uniqueness suffix `_<n>` removed) is `bias`, `gamma`, `beta`,
 *   `moving_mean` or `moving_variance` are excluded. Keeps `kernel`, `depthwise_kernel`,
 *   `pointwise_kernel`, `recurrent_kernel`, `embeddings`, ...
 * - `RegExp`: variables whose full `name` matches (e.g. `/^conv2d/`; note tfjs may append `_<n>`).
 * - predicate: variables for which `(variable) => boolean` returns true.
 */
export type VariableSelector = 'all' | 'kernels' | RegExp | ((v: tf.Variable) => boolean);

/** The zod schema of {@link VariableSelector}. */
export const selectorSchema = z.union(
  [
    z.enum(['all', 'kernels']),
    z.instanceof(RegExp),
    z.custom<(v: tf.Variable) => boolean>((x) => typeof x === 'function'),
  ],
  { error: expectedValue("'all', 'kernels', a RegExp or a function (variable) => boolean") },
);

const NON_KERNEL_SUFFIXES = new Set(['bias', 'gamma', 'beta', 'moving_mean', 'moving_variance']);

/**
 * True for a bias or a normalisation parameter (`bias`, `gamma`, `beta`, `moving_mean`,
 * `moving_variance` as the last segment of the base name, e.g. `batch_normalization/gamma`).
 */
export function isBiasOrNormalization(baseName: string): boolean {
  const last = baseName.slice(baseName.lastIndexOf('/') + 1);
  return NON_KERNEL_SUFFIXES.has(last);
}

/** Applies an already validated selector. */
export function applySelector(vars: readonly NamedVariable[], select: VariableSelector): NamedVariable[] {
  if (select === 'all') return [...vars];
  if (select === 'kernels') return vars.filter((v) => !isBiasOrNormalization(v.baseName));
  if (select instanceof RegExp) {
    return vars.filter((v) => {
      select.lastIndex = 0;
      return select.test(v.name);
    });
  }
  return vars.filter((v) => select(v.variable));
}

/**
 * The trainable variables of `source` chosen by `select` (default `'all'`).
 *
 * @throws OptionsError naming `select` when the selector is not one of the accepted kinds.
 */
export function selectVariables(source: VariableSource, select: VariableSelector = 'all'): tf.Variable[] {
  const sel = parseOptions(z.object({ select: selectorSchema }), { select }, 'selectVariables()').select;
  return applySelector(resolveVariables(source, 'selectVariables()'), sel).map((v) => v.variable);
}
