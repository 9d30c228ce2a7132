import type * as tf from '@tensorflow/tfjs-core';

/**
 * A weight as tfjs-layers exposes it (`model.trainableWeights[i]` is a `LayerVariable`):
 * `read()` returns the backing `tf.Variable`.
 */
export interface LayerWeightLike {
  readonly name: string;
  /** Name without the `_<n>` suffix tfjs adds when the name was already taken. */
  readonly originalName?: string;
  read(): tf.Tensor;
}

/** Anything with tfjs-layers' `trainableWeights` (a `tf.LayersModel`, a `tf.layers.Layer`). */
export interface HasTrainableWeights {
  readonly trainableWeights: readonly LayerWeightLike[];
}

/** Where variables come from: an explicit list of `tf.Variable`s, or a model/layer. */
export type VariableSource = readonly tf.Variable[] | HasTrainableWeights;

/** A trainable variable together with the names used to select and group it. */
export interface NamedVariable {
  /** The `tf.Variable` (its `name` is the key used by `tf.variableGrads` and optimizers). */
  readonly variable: tf.Variable;
  /** `variable.name`, e.g. `conv2d_1/kernel` or `dense/bias_2`. */
  readonly name: string;
  /** The name without tfjs' uniqueness suffix, e.g. `dense/bias`. */
  readonly baseName: string;
}

/**
 * Strips the `_<n>` suffix tfjs appends to the last path segment of a variable name when it was
 * already taken (`dense/kernel_1` -> `dense/kernel`). Layer prefixes are left alone.
 */
export function baseVariableName(name: string): string {
  const slash = name.lastIndexOf('/');
  const head = name.slice(0, slash + 1);
  const tail = name.slice(slash + 1);
  return head + tail.replace(/_\d+$/, '');
}

function isVariable(x: unknown): x is tf.Variable {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as { assign?: unknown }).assign === 'function' &&
    typeof (x as { name?: unknown }).name === 'string' &&
    typeof (x as { trainable?: unknown }).trainable === 'boolean'
  );
}

function isModelLike(x: unknown): x is HasTrainableWeights {
  return typeof x === 'object' && x !== null && Array.isArray((x as { trainableWeights?: unknown }).trainableWeights);
}

/**
 * Lists the trainable variables of a source, in order. For a model: its `trainableWeights`.
 * For a list of variables: those with `trainable === true`.
 *
 * @param where - the public function, named in errors.
 * @throws Error when the source is neither a variable list nor a model.
 */
export function resolveVariables(source: VariableSource, where: string): NamedVariable[] {
  if (Array.isArray(source)) {
    return (source as readonly unknown[]).map((v, i) => {
      if (!isVariable(v)) {
        throw new Error(`${where}: variables[${i}] is not a tf.Variable`);
      }
      return v;
    })
      .filter((v) => v.trainable)
      .map((v) => ({ variable: v, name: v.name, baseName: baseVariableName(v.name) }));
  }
  if (isModelLike(source)) {
    return source.trainableWeights.map((w, i) => {
      const v = w.read();
      if (!isVariable(v)) {
        throw new Error(`${where}: trainableWeights[${i}] (${String(w.name)}).read() is not a tf.Variable`);
      }
      return { variable: v, name: v.name, baseName: w.originalName ?? baseVariableName(v.name) };
    });
  }
  throw new Error(`${where}: expected an array of tf.Variable or a model with trainableWeights`);
}
