/**
 * Parser for the original study's per-epoch logs (`original-logs/*_outputs.txt`).
 *
 * The format is what the paper's notebook printed:
 *
 * ```
 * Epoch 0/24
 * ----------
 * train Loss: 12.3671 Acc: 0.0064
 * val Loss: 11.8225 Acc: 0.0074
 *
 * Training complete in 10m 1s
 * Best val Acc: 0.111600
 * ```
 *
 * `Epoch k/N` counts from 0, so the run was planned for `N + 1` epochs and block `k` is epoch
 * `k + 1` in the 1-based numbering the paper's tables use.
 */

/** One epoch of an original run; `epoch` is 1-based. Accuracies are fractions in [0, 1]. */
export interface OriginalEpoch {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
}

/** A parsed original log. */
export interface OriginalLog {
  /** Complete epochs (both a train and a val line), in order. */
  epochs: OriginalEpoch[];
  /** Epochs the run was planned for (`N + 1` from the last `Epoch k/N`); null for an empty log. */
  plannedEpochs: number | null;
  /**
   * Every distinct `N + 1` seen, in order of appearance. More than one means the header changed
   * within the file (one original log starts with `Epoch 0/49`, then goes on with `Epoch 1/24`).
   */
  plannedEpochsSeen: number[];
  /** True when the log ends with `Training complete in ...`. */
  completed: boolean;
  /** Seconds from `Training complete in Xm Ys`, when present. */
  trainingSeconds: number | null;
  /** The value of the closing `Best val Acc: x` line, when present. */
  reportedBestValAccuracy: number | null;
}

/** The best epoch of a run, as the paper's tables report it. */
export interface BestEpoch {
  /** 1-based epoch of the highest validation accuracy (first one on ties, as `acc > best` picks). */
  epoch: number;
  valAccuracy: number;
  /** Train accuracy logged in that same epoch. */
  trainAccuracy: number;
}

const NUM = '([-+]?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?|nan|inf)';
const EPOCH_RE = /^Epoch (\d+)\/(\d+)$/;
const PHASE_RE = new RegExp(`^(train|val) Loss: ${NUM} Acc: ${NUM}$`);
const COMPLETE_RE = /^Training complete in (\d+)m (\d+)s$/;
const BEST_RE = new RegExp(`^Best val Acc: ${NUM}$`);

/** Thrown for a line the parser does not understand; names the source and the line number. */
export class OriginalLogParseError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    message: string,
  ) {
    super(`${source}:${line}: ${message}`);
    this.name = 'OriginalLogParseError';
  }
}

/**
 * Parses one original log. An empty text gives an empty log (one of the original files is empty).
 * @param text the file's contents
 * @param source a name for error messages (the file name)
 * @throws OriginalLogParseError on an unexpected line, an epoch out of order or a repeated phase
 *   (a change of the `N` in `Epoch k/N` is recorded in `plannedEpochsSeen`, not an error)
 */
export function parseOriginalLog(text: string, source = '<log>'): OriginalLog {
  const log: OriginalLog = {
    epochs: [],
    plannedEpochs: null,
    plannedEpochsSeen: [],
    completed: false,
    trainingSeconds: null,
    reportedBestValAccuracy: null,
  };
  let current: { index: number; train?: [number, number]; val?: [number, number] } | null = null;
  const flush = (): void => {
    if (current?.train && current.val) {
      log.epochs.push({
        epoch: current.index + 1,
        trainLoss: current.train[0],
        trainAccuracy: current.train[1],
        valLoss: current.val[0],
        valAccuracy: current.val[1],
      });
    }
    current = null;
  };
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.trim();
    if (line === '' || /^-+$/.test(line)) return;
    const epochMatch = EPOCH_RE.exec(line);
    if (epochMatch) {
      flush();
      const index = Number(epochMatch[1]);
      const last = Number(epochMatch[2]);
      const expected = log.epochs.length;
      if (index !== expected) {
        throw new OriginalLogParseError(source, lineNo, `expected "Epoch ${expected}/${last}", got "${line}"`);
      }
      if (log.plannedEpochs !== last + 1) log.plannedEpochsSeen.push(last + 1);
      log.plannedEpochs = last + 1;
      current = { index };
      return;
    }
    const phase = PHASE_RE.exec(line);
    if (phase) {
      if (!current) throw new OriginalLogParseError(source, lineNo, `"${line}" outside an "Epoch k/N" block`);
      const key = phase[1] as 'train' | 'val';
      if (current[key]) throw new OriginalLogParseError(source, lineNo, `second ${key} line in epoch ${current.index}`);
      current[key] = [Number(phase[2]), Number(phase[3])];
      return;
    }
    const complete = COMPLETE_RE.exec(line);
    if (complete) {
      flush();
      log.completed = true;
      log.trainingSeconds = Number(complete[1]) * 60 + Number(complete[2]);
      return;
    }
    const best = BEST_RE.exec(line);
    if (best) {
      flush();
      log.reportedBestValAccuracy = Number(best[1]);
      return;
    }
    throw new OriginalLogParseError(source, lineNo, `unexpected line "${line}"`);
  });
  flush();
  return log;
}

/**
 * The epoch with the highest validation accuracy, `argmax_k valAcc_k` (first on ties), and the
 * train accuracy of that epoch. Null for a log without epochs.
 */
export function bestEpoch(log: Pick<OriginalLog, 'epochs'>): BestEpoch | null {
  let best: OriginalEpoch | null = null;
  for (const e of log.epochs) if (!best || e.valAccuracy > best.valAccuracy) best = e;
  return best ? { epoch: best.epoch, valAccuracy: best.valAccuracy, trainAccuracy: best.trainAccuracy } : null;
}
