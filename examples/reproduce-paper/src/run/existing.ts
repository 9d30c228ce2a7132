import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StudyPlan } from '../cli/plan';
import type { DataDescription } from './data';
import { plannedRunIds, studyDirOf } from './study';

/** What `--report-only` finds in `<out>/study` for the plan's runs. */
export interface ExistingResults {
  /** Data facts from the first run's config.json (null when no run has one). */
  data: DataDescription | null;
  /** Finished (completed or diverged) runs, failed runs, and runs without a final status. */
  finished: number;
  failed: number;
  unfinished: number;
}

function readJson<T>(file: string): T | null {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : null;
}

/** Reads config.json and status.json of every planned run, without loading any data. */
export function existingResults(plan: StudyPlan): ExistingResults {
  const dir = studyDirOf(plan);
  const out: ExistingResults = { data: null, finished: 0, failed: 0, unfinished: 0 };
  for (const id of plannedRunIds(plan)) {
    const config = readJson<{ numClasses: number; trainCount: number; valCount: number }>(join(dir, id, 'config.json'));
    const status = readJson<{ status: string }>(join(dir, id, 'status.json'));
    if (config && !out.data) {
      out.data = {
        kind: plan.data.kind,
        source: plan.data.kind === 'synthetic' ? join(plan.data.dir, 'tiny-imagenet-200') : plan.data.source,
        classes: config.numClasses,
        trainCount: config.trainCount,
        valCount: config.valCount,
        imageSize: 64,
      };
    }
    if (status?.status === 'completed' || status?.status === 'diverged') out.finished += 1;
    else if (status?.status === 'failed') out.failed += 1;
    else out.unfinished += 1;
  }
  return out;
}
