import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { applySelector, selectorSchema, type VariableSelector } from './select';
import { parseOptions } from './validation';
import { resolveVariables, type NamedVariable, type VariableSource } from './variables';

/** Norms of a group of weights. */
export interface NormStats {
  /** Number of scalar weights. */
  count: number;
  /** L1 norm `sum |w|`. */
  l1: number;
  /** L2 norm `sqrt(sum w^2)` (not squared). */
  l2: number;
  /** `sum w^2` (what an `l2` penalty multiplies). */
  sumSquares: number;
  /** `max |w|` (0 for an empty group). */
  maxAbs: number;
  /** Number of weights with `|w| <= eps`. */
  nearZero: number;
  /** `nearZero / count` (0 for an empty group). */
  fractionNearZero: number;
}

/** Stats of one variable. */
export interface VariableStats extends NormStats {
  /**
   * Layer path of the weight, `<layer name>/<weight name>` (e.g. `conv1/kernel`): the variable's
   * name without the `_<n>` suffix tfjs appends when a name was already taken in this process, so
   * the same model gives the same keys whatever was built before it (fresh or resumed run). When
   * two selected variables share a layer path, both keep their full variable names.
   */
  name: string;
  /** The `tf.Variable`'s own name, e.g. `conv1/kernel_4` (process-dependent). */
  variable: string;
  /** Owning layer: the name up to the last `/` (`conv1`), or the whole name if none. */
  layer: string;
  shape: number[];
}

/** Stats of all variables of one layer. */
export interface LayerStats extends NormStats {
  layer: string;
  /** Names of the variables in this layer. */
  variables: string[];
}

/** Result of {@link weightStats}. */
export interface WeightStats {
  /** The `eps` used for `nearZero`. */
  eps: number;
  variables: VariableStats[];
  /** Per layer, in first-seen order. */
  layers: LayerStats[];
  /** Over all selected variables. */
  total: NormStats;
}

/** Options of {@link weightStats}. */
export interface WeightStatsOptions {
  /** Threshold for "near zero": `|w| <= eps` (default 1e-8; use 0 to count exact zeros). */
  eps?: number;
  /** Which trainable variables are reported (default `'all'`). */
  select?: VariableSelector;
}

const schema = z
  .object({
    eps: z.number().min(0).default(1e-8),
    select: selectorSchema.default('all'),
  })
  .strict();

const FIELDS = 4; // [sum|w|, sum w^2, max|w|, count(|w| <= eps)]

function layerOf(name: string): string {
  const i = name.lastIndexOf('/');
  return i < 0 ? name : name.slice(0, i);
}

function finish(count: number, l1: number, sumSquares: number, maxAbs: number, nearZero: number): NormStats {
  return {
    count,
    l1,
    l2: Math.sqrt(sumSquares),
    sumSquares,
    maxAbs,
    nearZero,
    fractionNearZero: count === 0 ? 0 : nearZero / count,
  };
}

/** One `[n, 4]` tensor of raw per-variable sums, so a single data download serves all variables. */
function rawStats(vars: readonly NamedVariable[], eps: number): tf.Tensor2D {
  return tf.tidy(() => {
    const rows = vars.map(({ variable }) => {
      const a = tf.abs(tf.cast(variable, 'float32'));
      return tf.stack([
        tf.sum(a),
        tf.sum(tf.square(a)),
        variable.size === 0 ? tf.scalar(0) : tf.max(a),
        tf.sum(tf.cast(tf.lessEqual(a, tf.scalar(eps)), 'float32')),
      ]);
    });
    return tf.stack(rows) as tf.Tensor2D;
  });
}

function assemble(vars: readonly NamedVariable[], raw: Float32Array | Int32Array | Uint8Array, eps: number): WeightStats {
  const taken = new Map<string, number>();
  for (const v of vars) taken.set(v.baseName, (taken.get(v.baseName) ?? 0) + 1);
  const variables: VariableStats[] = vars.map(({ name: variableName, baseName, variable }, i) => {
    const o = i * FIELDS;
    const name = taken.get(baseName) === 1 ? baseName : variableName;
    return {
      name,
      variable: variableName,
      layer: layerOf(name),
      shape: [...variable.shape],
      ...finish(variable.size, raw[o] ?? 0, raw[o + 1] ?? 0, raw[o + 2] ?? 0, raw[o + 3] ?? 0),
    };
  });
  const groups = new Map<string, VariableStats[]>();
  for (const v of variables) {
    const g = groups.get(v.layer);
    if (g) g.push(v);
    else groups.set(v.layer, [v]);
  }
  const combine = (list: readonly VariableStats[]): NormStats =>
    finish(
      list.reduce((s, v) => s + v.count, 0),
      list.reduce((s, v) => s + v.l1, 0),
      list.reduce((s, v) => s + v.sumSquares, 0),
      list.reduce((m, v) => Math.max(m, v.maxAbs), 0),
      list.reduce((s, v) => s + v.nearZero, 0),
    );
  const layers: LayerStats[] = [...groups].map(([layer, list]) => ({
    layer,
    variables: list.map((v) => v.name),
    ...combine(list),
  }));
  return { eps, variables, layers, total: combine(variables) };
}

function prepare(source: VariableSource, options: WeightStatsOptions, where: string) {
  const { eps, select } = parseOptions(schema, options, where);
  const vars = applySelector(resolveVariables(source, where), select);
  return { eps, vars };
}

/**
 * Per-variable, per-layer and total weight statistics, for logging each epoch:
 * L1 norm `sum|w|`, L2 norm `sqrt(sum w^2)`, `sum w^2`, `max|w|`, and the count and fraction of
 * weights with `|w| <= eps`. Variables are keyed by layer path (`conv1/kernel`, see
 * {@link VariableStats.name}); layers are grouped by that key's prefix before the last `/`.
 *
 * Cost: a few reductions per variable and ONE synchronous download of `4 * nVariables` floats;
 * no tensors are left allocated. Use {@link weightStatsAsync} to avoid blocking (WebGL).
 *
 * @throws OptionsError naming `eps` or `select` when invalid.
 */
export function weightStats(source: VariableSource, options: WeightStatsOptions = {}): WeightStats {
  const { eps, vars } = prepare(source, options, 'weightStats()');
  if (vars.length === 0) return assemble(vars, new Float32Array(0), eps);
  const t = rawStats(vars, eps);
  try {
    return assemble(vars, t.dataSync(), eps);
  } finally {
    t.dispose();
  }
}

/** {@link weightStats} with an asynchronous download (`await tensor.data()`). */
export async function weightStatsAsync(source: VariableSource, options: WeightStatsOptions = {}): Promise<WeightStats> {
  const { eps, vars } = prepare(source, options, 'weightStatsAsync()');
  if (vars.length === 0) return assemble(vars, new Float32Array(0), eps);
  const t = rawStats(vars, eps);
  try {
    return assemble(vars, await t.data(), eps);
  } finally {
    t.dispose();
  }
}
