import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunConfig, RunStatus, StudyManifest } from '@regstudy/trainer';
import { CliError } from '../cli/args';
import type { StudyPlan } from '../cli/plan';
import type { DataDescription } from './data';
import { dataFingerprintOf } from './data-fingerprint';
import { plannedRuns, regularizationSpecs, studyDirOf } from './study';

/** What `--report-only` (and `--jobs`, before and after) finds in `<out>/study` for the plan's runs. */
export interface ExistingResults {
  /** Data facts from the runs' config.json (classes, counts, image size; null when no run has one). */
  data: DataDescription | null;
  /** Finished runs (completed all the plan's epochs, or diverged), failed runs, and the others. */
  finished: number;
  failed: number;
  unfinished: number;
  /** Runs that `study.json` lists with other epochs than the plan's: `new_l1-0_l2-0_seed-0: 10 (asked 5)`. */
  otherEpochs: string[];
}

function readJson<T>(file: string): T | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new CliError(`${file}: invalid JSON (${(e as Error).message})`);
  }
}

const show = (v: unknown): string => (v === undefined ? '(not recorded)' : typeof v === 'string' ? JSON.stringify(v) : String(v));

/**
 * The settings the plan fixes without loading data in which a stored config.json differs, as
 * `field old -> new` (the trainer's runStudy compares the rest, e.g. image counts, when it trains).
 */
export function planDifferences(config: Partial<RunConfig>, plan: StudyPlan): string[] {
  const l2Mode = regularizationSpecs(plan)[0]?.l2Mode;
  const pairs: [string, unknown, unknown][] = [
    ['batchSize', config.batchSize, plan.batchSize],
    ['optimizer.kind', config.optimizer?.kind, plan.optimizer.kind],
    ['optimizer.learningRate', config.optimizer?.learningRate, plan.optimizer.learningRate],
    ['optimizer.momentum', config.optimizer && 'momentum' in config.optimizer ? config.optimizer.momentum : undefined, plan.optimizer.momentum],
    ['regularization.l2Mode', config.regularization?.l2Mode, l2Mode],
    ['dataFingerprint', config.dataFingerprint, dataFingerprintOf(plan.data)],
  ];
  return pairs.filter(([, a, b]) => a !== b).map(([f, a, b]) => `${f} ${show(a)} -> ${show(b)}`);
}

/**
 * Reads config.json and status.json of every planned run, without loading any data. The data
 * facts come from the runs' config.json (what they were trained on), not from the flags.
 * @param check compare each stored config with the plan (default true; off where the runs are
 *   about to be deleted, i.e. `--no-resume`)
 * @throws CliError naming the first run folder trained with other settings and the fields
 */
export function existingResults(plan: StudyPlan, check = true): ExistingResults {
  const dir = studyDirOf(plan);
  const out: ExistingResults = { data: null, finished: 0, failed: 0, unfinished: 0, otherEpochs: [] };
  const manifest = readJson<StudyManifest>(join(dir, 'study.json'));
  const listed = new Map((manifest?.runs ?? []).map((r) => [r.runId, r.epochs]));
  for (const run of plannedRuns(plan)) {
    const runDir = join(dir, run.runId);
    const config = readJson<Partial<RunConfig>>(join(runDir, 'config.json'));
    const status = readJson<Partial<RunStatus>>(join(runDir, 'status.json'));
    if (config && check) {
      const diff = planDifferences(config, plan);
      if (diff.length > 0) {
        throw new CliError(
          `--out: ${runDir} holds a run trained with other settings: ${diff.join(', ')}; ` +
            "use another --out, or the settings it was trained with (--no-resume deletes this grid's runs there and trains them again)",
        );
      }
    }
    if (config && !out.data && config.numClasses !== undefined && config.trainCount !== undefined && config.valCount !== undefined) {
      out.data = {
        kind: plan.data.kind,
        source: plan.data.kind === 'synthetic' ? join(plan.data.dir, 'tiny-imagenet-200') : plan.data.source,
        classes: config.numClasses,
        trainCount: config.trainCount,
        valCount: config.valCount,
        imageSize: config.imageSize ?? 64,
      };
    }
    const asked = listed.get(run.runId);
    if (asked !== undefined && asked !== run.epochs) out.otherEpochs.push(`${run.runId}: ${asked} (asked ${run.epochs})`);
    const done = status?.status === 'diverged' || (status?.status === 'completed' && (status.epochsCompleted ?? 0) >= run.epochs);
    if (done) out.finished += 1;
    else if (status?.status === 'failed') out.failed += 1;
    else out.unfinished += 1;
  }
  return out;
}
