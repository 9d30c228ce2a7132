import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOriginalLog, type OriginalLog } from './original-log';
import type { PaperModel } from './tables';

/** An original run: what its file name says, and its parsed log. */
export interface OriginalRun {
  file: string;
  model: PaperModel;
  l1: number;
  l2: number;
  log: OriginalLog;
}

const PREFIX: Record<string, PaperModel> = { initmodel: 'initial', newmodel: 'new', resnet: 'resnet18' };
const NAME_RE = /^(initmodel|newmodel|resnet)_l1-([0-9.eE+-]+)_l2-([0-9.eE+-]+)_outputs\.txt$/;

/**
 * Reads model and lambdas from an original log's file name,
 * e.g. `initmodel_l1-0.0001_l2-0_outputs.txt` -> `{ model: 'initial', l1: 1e-4, l2: 0 }`.
 * @throws Error naming the file when the name does not follow that pattern
 */
export function parseOriginalLogName(file: string): { model: PaperModel; l1: number; l2: number } {
  const m = NAME_RE.exec(file);
  const l1 = Number(m?.[2]);
  const l2 = Number(m?.[3]);
  if (!m || !Number.isFinite(l1) || !Number.isFinite(l2)) {
    throw new Error(`original log "${file}": name must look like <initmodel|newmodel|resnet>_l1-<x>_l2-<y>_outputs.txt`);
  }
  return { model: PREFIX[m[1]!]!, l1, l2 };
}

/** The folder of original logs shipped with this example (`data/original-logs/`). */
export function defaultOriginalLogsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'data', 'original-logs');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('data/original-logs/ not found above ' + fileURLToPath(import.meta.url));
}

/** Parses every `*_outputs.txt` in `dir`, sorted by file name. */
export function loadOriginalRuns(dir = defaultOriginalLogsDir()): OriginalRun[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('_outputs.txt'))
    .sort()
    .map((file) => ({ file, ...parseOriginalLogName(file), log: parseOriginalLog(readFileSync(join(dir, file), 'utf8'), file) }));
}
