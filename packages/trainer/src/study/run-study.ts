import { DiskFullError } from '@regstudy/options';
import type * as tfl from '@tensorflow/tfjs-layers';
import { createRegistryModel } from '../internal/architectures';
import { nodeModules, readJsonIfExists, writeAtomic, writeJsonAtomic } from '../internal/node-fs';
import { train } from '../loop/train';
import { parseOptions } from '../loop/validate';
import { fsCheckpointStore } from '../node/fs-checkpoint-store';
import { expandGrid, shardRuns } from './grid';
import { checkStoredRunConfigs, classesOf, imageSizeOf, runConfigOf } from './run-config-check';
import { acquireRunLock, describeHolder } from './run-lock';
import { historyToCsv } from './history-csv';
import { keptWeightsHook } from './keep-run-weights';
import { studyOptionsSchema, type StudyData, type StudyOptions } from './study-options';
import type { EpochRecord } from '../loop/types';
import type { RunSpec, RunStatus, StudyEvent, StudyManifest, StudyResult } from './study-types';

/** A run is not started again once it completed all its epochs or diverged (it would again). */
const isFinished = (s: RunStatus | null, epochs: number) =>
  s !== null && ((s.status === 'completed' && s.epochsCompleted >= epochs) || s.status === 'diverged');

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
 *
 * config.json holds the run's whole effective config (model, regularization, seed, batch size,
 * optimizer, classes, train/val counts, image size, `dataFingerprint`). Before anything trains,
 * the stored config of every run of this shard is compared with the one asked for: any difference
 * other than `epochs` throws a {@link RunConfigMismatchError} (one line naming the folder and each
 * field as `old -> new`). A completed run asked for more epochs continues from its checkpoint,
 * or starts over when none is left ('run-extend' event); one asked for fewer is finished (the
 * report reads its first `epochs` epochs, see readStudyResults).
 *
 * Each run is trained under `<runDir>/lock` (pid, hostname, start time): a run whose lock a live
 * process holds is left to it ('run-locked' event, status 'locked'); a lock of a dead process on
 * this host is taken over ('lock-takeover' event).
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
  const loadData = async (): Promise<StudyData> => (data ??= typeof opts.data === 'function' ? await opts.data() : opts.data);
  const dirOf = (run: RunSpec) => path.join(opts.outDir, run.runId);
  await checkStoredRunConfigs(mine, dirOf, async (run) => runConfigOf(run, await loadData(), opts));
  const result: StudyResult = { runs: [], aborted: false };
  for (const [i, run] of mine.entries()) {
    const dir = dirOf(run);
    const statusFile = path.join(dir, 'status.json');
    const previous = await readJsonIfExists<RunStatus>(fs, statusFile);
    if (previous && isFinished(previous, run.epochs)) {
      emit({ type: 'run-skip', runId: run.runId, status: previous.status });
      result.runs.push({ runId: run.runId, dir, status: 'skipped', best: previous.best });
      continue;
    }
    if (opts.signal?.aborted) {
      result.aborted = true;
      break;
    }
    await fs.mkdir(dir, { recursive: true });
    const lock = await acquireRunLock(dir);
    if (!lock.acquired) {
      const message = `${run.runId}: locked by ${describeHolder(lock.holder)} (${path.join(dir, 'lock')}); left to it`;
      emit({ type: 'run-locked', runId: run.runId, holder: lock.holder, message });
      result.runs.push({ runId: run.runId, dir, status: 'locked', best: null });
      continue;
    }
    try {
      if (lock.tookOver) {
        const message = `${run.runId}: took over the lock of ${describeHolder(lock.tookOver)}, which is no longer running`;
        emit({ type: 'lock-takeover', runId: run.runId, previous: lock.tookOver, message });
      }
      // Another process may have finished it between the first look and the lock.
      const current = await readJsonIfExists<RunStatus>(fs, statusFile);
      if (current && isFinished(current, run.epochs)) {
        emit({ type: 'run-skip', runId: run.runId, status: current.status });
        result.runs.push({ runId: run.runId, dir, status: 'skipped', best: current.best });
        continue;
      }
      if (current?.status === 'completed' && current.epochsCompleted < run.epochs) {
        const fromCheckpoint = opts.checkpoint && (await fs.stat(path.join(dir, 'checkpoint', 'manifest.json')).then(() => true, () => false));
        const message = fromCheckpoint
          ? `${run.runId}: finished ${current.epochsCompleted} epochs; continuing from its checkpoint to ${run.epochs}`
          : `${run.runId}: finished ${current.epochsCompleted} epochs but has no checkpoint to continue from; starting it over for ${run.epochs} epochs`;
        emit({ type: 'run-extend', runId: run.runId, epochsCompleted: current.epochsCompleted, epochs: run.epochs, fromCheckpoint, message });
      }
      const runData = await loadData();
      emit({ type: 'run-start', runId: run.runId, index: i + 1, of: mine.length });
      const status = await runOne(run, dir, runData, opts, emit);
      result.runs.push({ runId: run.runId, dir, status: status.status, best: status.best });
      emit({ type: 'run-end', runId: run.runId, status: status.status, best: status.best, ...(status.error ? { error: status.error } : {}) });
      if (status.status === 'aborted') {
        result.aborted = true;
        break;
      }
    } finally {
      await lock.release();
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
  const config = runConfigOf(run, data, opts);
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
    const size = imageSizeOf(data);
    const ctx = { seed: run.seed, numClasses, inputShape: [size, size, 3] as [number, number, number] };
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
