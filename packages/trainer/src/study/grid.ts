import type { ResolvedStudyOptions } from './study-options';
import { runIdOf } from './run-id';
import type { RunSpec } from './study-types';

/** Expands models x regularization x seeds (in that nesting order) into run specs. */
export function expandGrid(opts: Pick<ResolvedStudyOptions, 'models' | 'regularization' | 'seeds' | 'epochs'>): RunSpec[] {
  const runs: RunSpec[] = [];
  const seen = new Set<string>();
  for (const m of opts.models) {
    const model = typeof m === 'string' ? m : m.name;
    const epochs = typeof opts.epochs === 'number' ? opts.epochs : opts.epochs[model]!;
    for (const regularization of opts.regularization) {
      for (const seed of opts.seeds) {
        const runId = runIdOf(model, regularization, seed);
        if (seen.has(runId)) throw new Error(`study grid: run '${runId}' appears twice (duplicate model, regularization or seed)`);
        seen.add(runId);
        runs.push({ runId, model, regularization, seed, epochs, gridIndex: runs.length });
      }
    }
  }
  return runs;
}

/**
 * The runs of shard `index` of `count`: grid position i belongs to shard `i mod count`
 * (round-robin, so every shard gets a mix of models). Deterministic for a given grid.
 */
export function shardRuns(runs: readonly RunSpec[], shard?: { index: number; count: number }): RunSpec[] {
  if (!shard) return [...runs];
  return runs.filter((r) => r.gridIndex % shard.count === shard.index);
}
