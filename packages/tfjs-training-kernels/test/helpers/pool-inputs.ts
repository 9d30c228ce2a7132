import { randomValues } from './backends';

/** Kinds of max-pool inputs: random, and the tie-heavy or non-finite ones the first-occurrence rule must handle. */
export type PoolInputKind = 'random' | 'zeros' | 'relu' | 'coarse' | 'negative' | 'nan' | 'neginf';

/** Every {@link PoolInputKind}. */
export const poolInputKinds: PoolInputKind[] = ['random', 'zeros', 'relu', 'coarse', 'negative', 'nan', 'neginf'];

/**
 * `count` values of one kind: all zeros, ReLU outputs, values on a 0.5 grid, all negative (many
 * ties); with NaNs, or with runs of -Infinity (the forward max may be NaN or -Infinity, so the
 * gradient must not rely on it: NaN never wins, an all -Infinity window routes nowhere).
 */
export function poolInput(kind: PoolInputKind, count: number, seed: number): Float32Array {
  const v = randomValues(count, seed);
  if (kind === 'zeros') return new Float32Array(count);
  if (kind === 'relu') return v.map((a) => Math.max(a, 0));
  if (kind === 'coarse') return v.map((a) => Math.round(a * 2) / 2);
  if (kind === 'negative') return v.map((a) => -Math.abs(a) - 0.5);
  if (kind === 'nan') return v.map((a, i) => (i % 5 === 2 ? Number.NaN : a));
  if (kind === 'neginf') return v.map((a, i) => (i % 4 === 1 || i % 7 < 3 ? Number.NEGATIVE_INFINITY : a));
  return v;
}
