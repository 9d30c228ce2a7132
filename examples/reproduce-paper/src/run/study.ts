import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expandGrid, RunConfigMismatchError, runStudy, shardRuns, type ResolvedRegularizationSpec, type RunSpec, type StudyEvent, type StudyResult } from '@regstudy/trainer';
import { CliError } from '../cli/args';
import type { StudyPlan } from '../cli/plan';
import type { StudyProgress } from '../cli/progress';
import type { PreparedData } from './data';
import { dataFingerprintOf } from './data-fingerprint';

/** The plan's regularization settings as the trainer's resolved specs. */
export function regularizationSpecs(plan: Pick<StudyPlan, 'regularization' | 'l2Mode'>): ResolvedRegularizationSpec[] {
  return plan.regularization.map(({ l1, l2 }) => ({ l1, l2, l2Mode: plan.l2Mode, select: 'all', proximalL1: 0, decoupledDecay: 0 }));
}

/** The model -> epochs record of a plan. */
export function epochsByModel(plan: Pick<StudyPlan, 'models'>): Record<string, number> {
  return Object.fromEntries(plan.models.map((m) => [m.name, m.epochs]));
}

/** Runs this invocation is responsible for (its shard of the grid), in grid order. */
export function plannedRuns(plan: StudyPlan): RunSpec[] {
  const grid = expandGrid({
    models: plan.models.map((m) => m.name),
    regularization: regularizationSpecs(plan),
    seeds: seedList(plan.seeds),
    epochs: epochsByModel(plan),
  });
  return shardRuns(grid, plan.shard);
}

/** Run ids this invocation is responsible for (its shard of the grid), in grid order. */
export function plannedRunIds(plan: StudyPlan): string[] {
  return plannedRuns(plan).map((r) => r.runId);
}

const seedList = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Study results go to `<out>/study`, the report to `<out>/report`. */
export const studyDirOf = (plan: Pick<StudyPlan, 'outDir'>): string => join(plan.outDir, 'study');

/** Routes the trainer's study events to the terminal progress. */
export function progressListener(progress: StudyProgress, epochsOf: (runId: string) => number): (e: StudyEvent) => void {
  let of = 0;
  let index = 0;
  return (e) => {
    switch (e.type) {
      case 'study-start':
        of = e.mine;
        progress.note(`study: ${e.mine} run${e.mine === 1 ? '' : 's'}${e.shard ? ` (shard ${e.shard.index}/${e.shard.count} of ${e.total})` : ''}`);
        break;
      case 'run-skip':
        index += 1;
        progress.skipRun(e.runId, index, of);
        break;
      case 'run-locked':
        index += 1;
        progress.note(`[${index}/${of}] ${e.message}`);
        break;
      case 'lock-takeover':
      case 'run-extend':
        progress.note(e.message);
        break;
      case 'run-start':
        index += 1;
        break;
      case 'train': {
        const t = e.event;
        if (t.type === 'start') progress.startRun(e.runId, index, of, epochsOf(e.runId), t.resumed ? t.startEpoch - 1 : 0);
        else if (t.type === 'batch') progress.batch(t.epoch, t.batch, t.batches, t.loss + t.penalty, t.accuracy);
        else if (t.type === 'epoch') progress.epoch({ ...t.record, trainLoss: t.record.trainTotalLoss });
        break;
      }
      case 'run-end':
        progress.endRun(e.status + (e.error ? `: ${e.error}` : ''), e.best?.valAccuracy, e.best?.epoch);
        break;
      case 'study-end':
        if (e.aborted) progress.note('study: interrupted; run the same command again to continue where it stopped');
        break;
    }
  };
}

/**
 * Deletes the `checkpoint/` folder of every finished (completed or diverged) run of `result`:
 * it only serves to resume, and weighs 40-130 MB a run for the paper's models (weights and
 * momentum). Unfinished runs keep theirs.
 * @returns the folders deleted
 */
export async function pruneCheckpoints(result: StudyResult): Promise<string[]> {
  const done: string[] = [];
  for (const run of result.runs) {
    if (run.status === 'completed' || run.status === 'diverged' || run.status === 'skipped') {
      const dir = join(run.dir, 'checkpoint');
      await rm(dir, { recursive: true, force: true });
      done.push(dir);
    }
  }
  return done;
}

/** The one-line CLI error for runs in `--out` that were trained with other settings. */
export function mismatchCliError(e: RunConfigMismatchError): CliError {
  return new CliError(
    `--out: ${e.summary}; use another --out, or --no-resume to delete this grid's runs there and train them again`,
  );
}

/**
 * Runs the plan's grid (or its shard) with the trainer's `runStudy` into `<out>/study`.
 * Finished runs there are skipped and interrupted ones resume from their last epoch checkpoint;
 * with `resume: false` this shard's run folders are deleted first. Finished runs' checkpoints are
 * deleted afterwards unless `keepCheckpoints`; their kept weights (`model/`, unless
 * `keepWeights` is false) stay. Each run's config.json records the data
 * ({@link dataFingerprintOf}, counts), batch size and optimiser; a run found with other ones is
 * not reused.
 * @throws CliError (one line, naming the run folder and the fields) when runs in `--out` were
 *   trained with other settings (epochs aside)
 */
export async function runPlannedStudy(plan: StudyPlan, data: PreparedData, progress: StudyProgress, signal?: AbortSignal): Promise<StudyResult> {
  const studyDir = studyDirOf(plan);
  if (!plan.resume) {
    for (const id of plannedRunIds(plan)) await rm(join(studyDir, id), { recursive: true, force: true });
  }
  const epochs = epochsByModel(plan);
  const modelOf = (runId: string): string => plan.models.map((m) => m.name).find((n) => runId.startsWith(`${n}_`)) ?? '';
  const result = await runStudy({
    dataFingerprint: dataFingerprintOf(plan.data),
    models: plan.models.map((m) => m.name),
    regularization: regularizationSpecs(plan),
    seeds: seedList(plan.seeds),
    epochs,
    batchSize: plan.batchSize,
    optimizer: plan.optimizer,
    data: { train: data.train, val: data.val },
    numClasses: data.description.classes,
    outDir: studyDir,
    keepWeights: plan.keepWeights,
    ...(plan.shard ? { shard: plan.shard } : {}),
    ...(signal ? { signal } : {}),
    onEvent: progressListener(progress, (id) => epochs[modelOf(id)] ?? 0),
  }).catch((e: unknown) => {
    throw e instanceof RunConfigMismatchError ? mismatchCliError(e) : e;
  });
  if (!plan.keepCheckpoints) await pruneCheckpoints(result);
  return result;
}
