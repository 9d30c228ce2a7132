import { nodeModules, readJsonIfExists, writeJsonAtomic } from '../internal/node-fs';
import type { RunSpec, RunStatus, StudyManifest } from './study-types';

export interface MergeResult {
  /** Run ids copied into `outDir`. */
  runs: string[];
  /** Run ids of the grid with no final ('completed' or 'diverged') result in any input. */
  missing: string[];
}

const rank = (s: RunStatus | null) => (s === null ? 0 : s.status === 'completed' ? 3 : s.status === 'diverged' ? 2 : 1);

/**
 * Joins the result directories of several shards (or several studies over the same grid) into
 * `outDir`: the union of their `study.json` grids and, per run, the directory with the most final
 * status (completed > diverged > anything else), without its checkpoint. Two different grids for
 * the same run id (config mismatch) are an error naming the run and directories.
 */
export async function mergeStudy(dirs: readonly string[], outDir: string): Promise<MergeResult> {
  if (dirs.length === 0) throw new TypeError('mergeStudy: dirs must name at least one study directory');
  const { fs, path } = await nodeModules();
  const grid = new Map<string, RunSpec>();
  const chosen = new Map<string, { dir: string; status: RunStatus | null }>();
  for (const dir of dirs) {
    const manifest = await readJsonIfExists<StudyManifest>(fs, path.join(dir, 'study.json'));
    if (!manifest) throw new Error(`mergeStudy: ${path.join(dir, 'study.json')} not found (not a study directory)`);
    for (const run of manifest.runs) {
      const known = grid.get(run.runId);
      if (known && (known.epochs !== run.epochs || known.model !== run.model)) {
        throw new Error(`mergeStudy: run ${run.runId} has different settings in ${dir} (epochs ${run.epochs} vs ${known.epochs})`);
      }
      if (!known) grid.set(run.runId, run);
      const status = await readJsonIfExists<RunStatus>(fs, path.join(dir, run.runId, 'status.json'));
      if (status === null) continue;
      const current = chosen.get(run.runId);
      if (!current || rank(status) > rank(current.status)) chosen.set(run.runId, { dir, status });
    }
  }
  await fs.mkdir(outDir, { recursive: true });
  const runs: string[] = [];
  for (const [runId, { dir }] of chosen) {
    const from = path.join(dir, runId);
    const to = path.join(outDir, runId);
    if (path.resolve(from) === path.resolve(to)) {
      runs.push(runId);
      continue;
    }
    await fs.rm(to, { recursive: true, force: true });
    await fs.cp(from, to, { recursive: true, filter: (src) => path.basename(src) !== 'checkpoint' && path.basename(src) !== 'lock' });
    runs.push(runId);
  }
  const all = [...grid.values()].sort((a, b) => a.gridIndex - b.gridIndex);
  await writeJsonAtomic(fs, path.join(outDir, 'study.json'), { version: 1, runs: all } satisfies StudyManifest);
  const missing = all.filter((r) => rank(chosen.get(r.runId)?.status ?? null) < 2).map((r) => r.runId);
  return { runs: runs.sort(), missing };
}
