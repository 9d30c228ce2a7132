import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { evaluate, type EpochRecord, type EvaluateResult, type KeptModelMetadata, type RunConfig } from '@regstudy/trainer';
import { loadKeptModel } from '@regstudy/trainer/node';
import { CliError, type EvaluateArgs } from '../cli/args';
import { resolvePlan } from '../cli/plan';
import { prepareValSplit, type DataProgress } from './data';

/** What `reproduce-paper evaluate` measured, beside what the run's history says of that epoch. */
export interface RunEvaluation {
  runDir: string;
  which: EvaluateArgs['which'];
  /** The epoch the kept weights are from (model.json metadata). */
  epoch: number | null;
  result: EvaluateResult;
  /** The run's history record of that epoch, if any. */
  history: EpochRecord | null;
}

async function readJson<T>(file: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`evaluate --run: ${file} not found (${what})`);
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new CliError(`evaluate --run: ${file}: invalid JSON (${(error as Error).message})`);
  }
}

/**
 * Loads the weights a run kept (`<run>/model/<which>/`), rebuilds the validation split from the data
 * flags (checked against the run's config.json: classes and val images), and evaluates them as the
 * trainer validated after each epoch (eval mode; loss = cross-entropy + the run's penalty).
 */
export async function evaluateRun(args: EvaluateArgs, cwd: string, log: DataProgress, signal?: AbortSignal): Promise<RunEvaluation> {
  const runDir = isAbsolute(args.run) ? args.run : resolve(cwd, args.run);
  const config = await readJson<RunConfig>(join(runDir, 'config.json'), 'is it a run folder of a study, <out>/study/<runId>?');
  const plan = resolvePlan(args.cli, cwd);
  const val = await prepareValSplit(plan, log, signal);
  if (val.classes.length !== config.numClasses || val.count !== config.valCount) {
    throw new CliError(
      `evaluate: the run was validated on ${config.valCount} images of ${config.numClasses} classes (${join(runDir, 'config.json')}), ` +
        `these data flags give ${val.count} of ${val.classes.length}: pass the --preset, --data, --classes and --val-per-class the run was trained with`,
    );
  }
  let kept;
  try {
    kept = await loadKeptModel(runDir, args.which);
  } catch (error) {
    throw new CliError(`evaluate --run: ${(error as Error).message}`);
  }
  try {
    const result = await evaluate({ model: kept.model, data: val, batchSize: args.batchSize ?? config.batchSize, regularization: config.regularization });
    const meta: KeptModelMetadata | null = kept.metadata;
    const history = await readJson<EpochRecord[]>(join(runDir, 'history.json'), 'the run has no history').catch(() => []);
    const record = meta ? (history.find((r) => r.epoch === meta.epoch) ?? null) : null;
    return { runDir, which: args.which, epoch: meta?.epoch ?? null, result, history: record };
  } finally {
    kept.model.dispose();
  }
}

/** The lines `evaluate` prints: accuracy and loss, and the history's values of the same epoch. */
export function evaluationText(e: RunEvaluation): string {
  const r = e.result;
  const lines = [
    `run: ${e.runDir} (${e.which} weights${e.epoch !== null ? `, epoch ${e.epoch}` : ''})`,
    `val accuracy: ${r.accuracy.toFixed(6)} (${r.count} images)`,
    `val loss: ${r.loss.toFixed(6)} (cross-entropy ${r.dataLoss.toFixed(6)} + penalty ${r.penalty.toFixed(6)})`,
  ];
  if (e.history) lines.push(`history at epoch ${e.history.epoch}: val accuracy ${e.history.valAccuracy.toFixed(6)}, val loss ${e.history.valLoss.toFixed(6)}`);
  return `${lines.join('\n')}\n`;
}
