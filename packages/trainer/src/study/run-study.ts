import { DiskFullError } from '@regstudy/tinyimagenet';
import type * as tfl from '@tensorflow/tfjs-layers';
import { createRegistryModel } from '../internal/architectures';
import { nodeModules, readJsonIfExists, writeAtomic, writeJsonAtomic } from '../internal/node-fs';
import { isImageSplit } from '../loop/batch-source';
import { train } from '../loop/train';
import { parseOptions } from '../loop/validate';
import { fsCheckpointStore } from '../node/fs-checkpoint-store';
import { expandGrid, shardRuns } from './grid';
import { historyToCsv } from './history-csv';
import { keptWeightsHook } from './keep-run-weights';
import { studyOptionsSchema, type StudyData, type StudyOptions } from './study-options';
import type { EpochRecord } from '../loop/types';
import type { RunConfig, RunSpec, RunStatus, StudyEvent, StudyManifest, StudyResult } from './study-types';

/** A run is not started again once it completed all its epochs or diverged (it would again). */
const isFinished = (s: RunStatus | null, epochs: number) =>
  s !== null && ((s.status === 'completed' && s.epochsCompleted >= epochs) || s.status === 'diverged');

function classesOf(data: StudyData, given: number | undefined): number {
  if (given !== undefined) return given;
  const t = data.train;
  if (isImageSplit(t)) {
    if (t.classes && t.classes.length > 0) return t.classes.length;
    return t.labels.reduce((m, l) => Math.max(m, l), 0) + 1;
  }
  throw new Error('study options.numClasses: required when data.train is a BatchSource');
}

function inputShapeOf(data: StudyData): [number, number, number] {
  const size = isImageSplit(data.train) ? data.train.imageSize : 64;
  return [size, size, 3];
}

/**
 * Runs the study grid (models x regularization x seeds), or one shard of it, one directory per run:
 * `<outDir>/<runId>/{config.json, history.json, history.csv, status.json, checkpoint/, model/}`, plus
 * `<outDir>/study.json` (the whole grid and this shard). Runs whose status is 'completed' or
 * 'diverged' are skipped when the study is started again; others resume from their checkpoint.
 * A run that throws is recorded as 'failed' and the study goes on, except on a full disk: then
 * the study stops and rejects with the {@link DiskFullError} (which names the file and the space
 * needed); files written before stay intact. Options are validated before
 * anything runs (unknown model, negative lambda, epochs 0, shard index out of range, ...).
 * With `keepWeights` (default), `model/best/` and `model/last/` hold the weights of the best and the
 * last completed epoch (see {@link StudyOptions}); they survive a resume.
 */
export async function runStudy(options: StudyOptions): Promise<StudyResult> {
  const opts = parseOptions(studyOptionsSchema, options, 'runStudy()');
  const grid = expandGrid(opts);
  const mine = shardRuns(grid, opts.shard);
  const emit = (e: StudyEvent) => opts.onEvent?.(e);
  const { fs, path } = await nodeModules();
  await fs.mkdir(opts.outDir, { recursive: true });
  const manifest: StudyManifest = { version: 1, runs: grid, ...(opts.shard ? { shard: opts.shard } : {}) };
  await writeJsonAtomic(fs, path.join(opts.outDir, 'study.json'), manifest);
  emit({ type: 'study-start', total: grid.length, mine: mine.length, ...(opts.shard ? { shard: opts.shard } : {}) });

  let data: StudyData | null = null;
  const result: StudyResult = { runs: [], aborted: false };
  for (const [i, run] of mine.entries()) {
    const dir = path.join(opts.outDir, run.runId);
    const previous = await readJsonIfExists<RunStatus>(fs, path.join(dir, 'status.json'));
    if (previous && isFinished(previous, run.epochs)) {
      emit({ type: 'run-skip', runId: run.runId, status: previous.status });
      result.runs.push({ runId: run.runId, dir, status: 'skipped', best: previous.best });
      continue;
    }
    if (opts.signal?.aborted) {
      result.aborted = true;
      break;
    }
    data ??= typeof opts.data === 'function' ? await opts.data() : opts.data;
    emit({ type: 'run-start', runId: run.runId, index: i + 1, of: mine.length });
    const status = await runOne(run, dir, data, opts, emit);
    result.runs.push({ runId: run.runId, dir, status: status.status, best: status.best });
    emit({ type: 'run-end', runId: run.runId, status: status.status, best: status.best, ...(status.error ? { error: status.error } : {}) });
    if (status.status === 'aborted') {
      result.aborted = true;
      break;
    }
  }
  emit({ type: 'study-end', aborted: result.aborted });
  return result;
}

async function runOne(
  run: RunSpec,
  dir: string,
  data: StudyData,
  opts: ReturnType<typeof studyOptionsSchema.parse>,
  emit: (e: StudyEvent) => void,
): Promise<RunStatus> {
  const { fs, path } = await nodeModules();
  await fs.mkdir(dir, { recursive: true });
  const numClasses = classesOf(data, opts.numClasses);
  const config: RunConfig = {
    ...run,
    batchSize: opts.batchSize,
    optimizer: opts.optimizer,
    numClasses,
    trainCount: data.train.count,
    valCount: data.val.count,
  };
  await writeJsonAtomic(fs, path.join(dir, 'config.json'), config);
  const writeStatus = (s: Omit<RunStatus, 'runId' | 'updatedAt'>) =>
    writeJsonAtomic(fs, path.join(dir, 'status.json'), { runId: run.runId, ...s, updatedAt: new Date().toISOString() });
  await writeStatus({ status: 'running', epochsCompleted: 0, best: null });

  const writeHistory = async (history: readonly EpochRecord[]) => {
    await writeJsonAtomic(fs, path.join(dir, 'history.json'), history);
    await writeAtomic(fs, path.join(dir, 'history.csv'), [historyToCsv(history)]);
  };
  let liveHistory: EpochRecord[] = (await readJsonIfExists<EpochRecord[]>(fs, path.join(dir, 'history.json'))) ?? [];
  // Writes chained from the epoch event: the first failure stops training (through `stop`) and
  // is rethrown below, so it reaches the caller instead of escaping as an unhandled rejection.
  let pending: Promise<void> = Promise.resolve();
  let writeError: { error: unknown } | undefined;
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  let model: tfl.LayersModel | null = null;
  try {
    const ctx = { seed: run.seed, numClasses, inputShape: inputShapeOf(data) };
    const custom = opts.models.find((m) => typeof m !== 'string' && m.name === run.model);
    model = custom && typeof custom !== 'string' ? await custom.create(ctx) : createRegistryModel(run.model, ctx);
    const result = await train({
      model,
      train: data.train,
      val: data.val,
      epochs: run.epochs,
      batchSize: opts.batchSize,
      optimizer: opts.optimizer,
      regularization: run.regularization,
      seed: run.seed,
      weightStats: opts.weightStats,
      ...(opts.checkpoint ? { checkpoint: fsCheckpointStore(path.join(dir, 'checkpoint')) } : {}),
      signal,
      ...(await keptWeightsHook(path.join(dir, 'model'), opts.keepWeights)),
      onEvent: (event) => {
        if (event.type === 'epoch') {
          // Keep history/status current while the run goes on (serialised writes), so a report of
          // a study in progress sees finished epochs. Epochs from before a resume come from disk.
          const live = [...liveHistory.filter((r) => r.epoch < event.record.epoch), event.record];
          liveHistory = live;
          pending = pending
            .then(async () => {
              if (writeError) return;
              await writeHistory(live);
              await writeStatus({ status: 'running', epochsCompleted: event.record.epoch, best: event.best });
            })
            .catch((error: unknown) => {
              writeError ??= { error };
              stop.abort(error);
            });
        }
        emit({ type: 'train', runId: run.runId, event });
      },
    });
    await pending;
    if (writeError) throw writeError.error;
    await writeHistory(result.history);
    const status = {
      status: result.status,
      epochsCompleted: result.history.length,
      best: result.best,
      ...(result.stoppedAt ? { stoppedAt: result.stoppedAt } : {}),
    };
    await writeStatus(status);
    return { runId: run.runId, ...status, updatedAt: new Date().toISOString() };
  } catch (error) {
    await pending;
    const status = { status: 'failed' as const, epochsCompleted: 0, best: null, error: (error as Error).message };
    if (DiskFullError.isDiskFull(error)) {
      // Nothing more can be written: record the failure if the disk allows, then stop the study.
      await writeStatus(status).catch(() => undefined);
      throw error;
    }
    await writeStatus(status);
    return { runId: run.runId, ...status, updatedAt: new Date().toISOString() };
  } finally {
    model?.dispose();
  }
}
