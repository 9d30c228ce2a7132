import { nodeModules, readJsonIfExists } from '../internal/node-fs';
import { bestOf, type EpochRecord } from '../loop/types';
import type { RunConfig, RunStatus, StudyManifest } from '../study/study-types';

/** One run as read back from its directory. */
export interface RunResult {
  runId: string;
  config: RunConfig;
  status: RunStatus;
  history: EpochRecord[];
}

/**
 * Reads every run directory of a study (`config.json`, `status.json`, `history.json`). Runs listed
 * in `study.json` but absent on disk are returned in `missing`. Errors name the file.
 *
 * A run trained for more epochs than `study.json` now asks for (the study was started again with a
 * lower `epochs`) is read as its first `epochs` epochs: with a constant learning rate and shuffles
 * and dropout seeded per (seed, epoch, batch), those are the epochs a shorter run would have had.
 */
export async function readStudyResults(studyDir: string): Promise<{ runs: RunResult[]; missing: string[] }> {
  const { fs, path } = await nodeModules();
  const manifest = await readJsonIfExists<StudyManifest>(fs, path.join(studyDir, 'study.json'));
  let ids: string[];
  const epochsOf = new Map<string, number>();
  if (manifest) {
    ids = manifest.runs.map((r) => r.runId);
    for (const r of manifest.runs) epochsOf.set(r.runId, r.epochs);
  } else {
    const entries = await fs.readdir(studyDir, { withFileTypes: true }).catch(() => {
      throw new Error(`report: study directory ${studyDir} not found`);
    });
    ids = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  }
  const runs: RunResult[] = [];
  const missing: string[] = [];
  for (const runId of ids) {
    const dir = path.join(studyDir, runId);
    const config = await readJsonIfExists<RunConfig>(fs, path.join(dir, 'config.json'));
    const status = await readJsonIfExists<RunStatus>(fs, path.join(dir, 'status.json'));
    const history = await readJsonIfExists<EpochRecord[]>(fs, path.join(dir, 'history.json'));
    if (!config || !status || !history) {
      missing.push(runId);
      continue;
    }
    if (!Array.isArray(history)) throw new Error(`report: ${path.join(dir, 'history.json')} is not an array of epochs`);
    const asked = epochsOf.get(runId);
    if (asked !== undefined && history.length > asked) {
      const kept = history.filter((r) => r.epoch <= asked);
      runs.push({ runId, config: { ...config, epochs: asked }, status: { ...status, epochsCompleted: kept.length, best: bestOf(kept) }, history: kept });
      continue;
    }
    runs.push({ runId, config, status, history });
  }
  return { runs, missing };
}
