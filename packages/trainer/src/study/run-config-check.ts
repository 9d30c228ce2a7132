import { nodeModules, readJsonIfExists } from '../internal/node-fs';
import { isImageSplit } from '../loop/batch-source';
import type { ResolvedStudyOptions, StudyData } from './study-options';
import type { RunConfig, RunSpec } from './study-types';

/** Classes of the data: `given`, else `train.classes.length`, else 1 + the largest train label. */
export function classesOf(data: StudyData, given: number | undefined): number {
  if (given !== undefined) return given;
  const t = data.train;
  if (isImageSplit(t)) {
    if (t.classes && t.classes.length > 0) return t.classes.length;
    return t.labels.reduce((m, l) => Math.max(m, l), 0) + 1;
  }
  throw new Error('study options.numClasses: required when data.train is a BatchSource');
}

/** Side of the square input images: the split's `imageSize`, 64 (Tiny-ImageNet) for a BatchSource. */
export const imageSizeOf = (data: StudyData): number => (isImageSplit(data.train) ? data.train.imageSize : 64);

/** The whole effective config of one run, as written to its config.json. */
export function runConfigOf(run: RunSpec, data: StudyData, opts: ResolvedStudyOptions): RunConfig {
  return {
    ...run,
    batchSize: opts.batchSize,
    optimizer: opts.optimizer,
    numClasses: classesOf(data, opts.numClasses),
    trainCount: data.train.count,
    valCount: data.val.count,
    imageSize: imageSizeOf(data),
    ...(opts.dataFingerprint !== undefined ? { dataFingerprint: opts.dataFingerprint } : {}),
  };
}

/** One setting that differs between a run's stored config.json and the config asked for now. */
export interface ConfigDifference {
  /** Dotted path, e.g. `optimizer.learningRate`, `trainCount`, `dataFingerprint`. */
  field: string;
  stored: unknown;
  requested: unknown;
}

/**
 * Fields that identify what was trained. Not compared: `runId` (the folder), `gridIndex` (the
 * position in this grid), `epochs` (a run may be continued to more epochs, see runStudy).
 */
const IGNORED = new Set(['runId', 'gridIndex', 'epochs']);

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, value);
  }
}

/**
 * The settings in which a stored run config and the requested one differ (empty: the same run).
 * A field present on one side only (e.g. `dataFingerprint`, or `imageSize` of a config written by
 * an older version) counts as a difference: what was trained cannot be checked.
 */
export function compareRunConfigs(stored: RunConfig, requested: RunConfig): ConfigDifference[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  flatten(stored, '', a);
  flatten(requested, '', b);
  const fields = [...new Set([...b.keys(), ...a.keys()])].filter((f) => !IGNORED.has(f.split('.')[0]!));
  const out: ConfigDifference[] = [];
  for (const field of fields) {
    const x = a.get(field);
    const y = b.get(field);
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push({ field, stored: x, requested: y });
  }
  return out;
}

const show = (v: unknown): string => (v === undefined ? '(not recorded)' : typeof v === 'string' ? JSON.stringify(v) : String(v));

/**
 * Thrown by runStudy when a run folder holds a run trained with other settings than those asked
 * for now (other than epochs). Its message is one line naming the folder, each differing field as
 * `old -> new`, and how to proceed.
 */
export class RunConfigMismatchError extends Error {
  override readonly name = 'RunConfigMismatchError';
  /** The message without its `runStudy(): ` prefix and advice: `<dir> holds a run trained with other settings: a 1 -> 2`. */
  readonly summary: string;
  constructor(
    /** The run folder whose config.json differs (the first one found). */
    readonly runDir: string,
    readonly differences: readonly ConfigDifference[],
    /** How many other run folders of this study differ too. */
    readonly otherRuns: number,
  ) {
    const summary =
      `${runDir} holds a run trained with other settings: ` +
      differences.map((d) => `${d.field} ${show(d.stored)} -> ${show(d.requested)}`).join(', ') +
      (otherRuns > 0 ? ` (and ${otherRuns} other run folder${otherRuns === 1 ? '' : 's'} of this study)` : '');
    super(`runStudy(): ${summary}; use another outDir, or delete those run folders to train them again`);
    this.summary = summary;
  }
}

/**
 * Compares the config.json of every run of `runs` that has one with the config asked for now
 * (`requested`, called only for those runs, so data is loaded only when something is stored).
 * @throws RunConfigMismatchError naming the first differing run folder and its fields
 */
export async function checkStoredRunConfigs(
  runs: readonly RunSpec[],
  dirOf: (run: RunSpec) => string,
  requested: (run: RunSpec) => Promise<RunConfig>,
): Promise<void> {
  const { fs, path } = await nodeModules();
  let first: { dir: string; differences: ConfigDifference[] } | null = null;
  let others = 0;
  for (const run of runs) {
    const dir = dirOf(run);
    const stored = await readJsonIfExists<RunConfig>(fs, path.join(dir, 'config.json'));
    if (!stored) continue;
    const differences = compareRunConfigs(stored, await requested(run));
    if (differences.length === 0) continue;
    if (first) others += 1;
    else first = { dir, differences };
  }
  if (first) throw new RunConfigMismatchError(first.dir, first.differences, others);
}
