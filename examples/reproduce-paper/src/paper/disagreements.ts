import { bestEpoch, type BestEpoch } from './original-log';
import type { OriginalRun } from './original-runs';
import { paperModelTitles, type PaperTable, type PaperTableRow } from './tables';

/** What kind of mismatch between the paper's tables and the original logs was found. */
export type DisagreementKind =
  | 'missing-log' // a table row has no log with its model and lambdas
  | 'empty-log' // the row's log file has no epochs
  | 'epoch-count' // the log ran a different number of epochs than the table says
  | 'best-val' // the highest val accuracy in the log differs from the table
  | 'best-epoch' // the epoch of the highest val accuracy differs
  | 'train-acc' // the train accuracy at the best epoch differs
  | 'matches-other-log' // the row's three numbers are those of a log with other lambdas
  | 'truncated' // a log ends before its planned epochs, without "Training complete"
  | 'header-changed' // the N of "Epoch k/N" changes within one log
  | 'reported-best' // the log's closing "Best val Acc" line differs from its epochs' maximum
  | 'not-in-tables'; // a log whose model and lambdas are in no table row

/** One disagreement, with a sentence that says what differs, the numbers included. */
export interface Disagreement {
  kind: DisagreementKind;
  /** Paper table id, when it concerns a table row. */
  table?: 1 | 2 | 3;
  row?: { l1: number; l2: number };
  /** Log file name, when it concerns a log. */
  file?: string;
  message: string;
}

/** Numbers in the tables and logs have 4 decimals: two agree when they differ by < 0.5e-4. */
export const ACCURACY_TOLERANCE = 5e-5;

const same = (a: number, b: number): boolean => Math.abs(a - b) < ACCURACY_TOLERANCE;
const sameLambda = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b));
const fmtLambda = (x: number): string => (x === 0 ? '0' : x.toExponential().replace('e+', 'e'));
const fmtAcc = (x: number): string => x.toFixed(4);
const rowName = (t: PaperTable, r: PaperTableRow): string => `Table ${t.id} (${paperModelTitles[t.model]}, L1=${fmtLambda(r.l1)}, L2=${fmtLambda(r.l2)})`;
const rowMatchesBest = (r: PaperTableRow, b: BestEpoch): boolean =>
  same(r.bestValAccuracy, b.valAccuracy) && same(r.trainAccuracy, b.trainAccuracy) && r.bestEpoch === b.epoch;

function otherLogWithRowNumbers(r: PaperTableRow, runs: readonly OriginalRun[], except?: OriginalRun): OriginalRun | undefined {
  return runs.find((run) => {
    if (run === except || run.model !== r.model) return false;
    const b = bestEpoch(run.log);
    return b !== null && rowMatchesBest(r, b);
  });
}

/**
 * Compares every row of the paper's tables with the original log of the same model and lambdas,
 * and checks every log on its own. For a row with log `L`, the log's numbers are
 * `best = argmax_k valAcc_k` (first on ties), `valAcc_best`, `trainAcc_best` and the epoch count.
 * Accuracies agree when they differ by less than {@link ACCURACY_TOLERANCE}.
 * @returns the disagreements, table rows first (in table order), then per-log findings by file name
 */
export function findDisagreements(tables: readonly PaperTable[], runs: readonly OriginalRun[]): Disagreement[] {
  const out: Disagreement[] = [];
  const used = new Set<OriginalRun>();
  for (const t of tables) {
    for (const r of t.rows) {
      const where = { table: t.id, row: { l1: r.l1, l2: r.l2 } } as const;
      const run = runs.find((x) => x.model === r.model && sameLambda(x.l1, r.l1) && sameLambda(x.l2, r.l2));
      const name = rowName(t, r);
      if (run) used.add(run);
      const best = run ? bestEpoch(run.log) : null;
      if (!run) {
        out.push({ kind: 'missing-log', ...where, message: `${name}: no original log with these lambdas.` });
      } else if (!best) {
        out.push({ kind: 'empty-log', ...where, file: run.file, message: `${name}: the log ${run.file} is empty.` });
      } else {
        const f = run.file;
        if (run.log.epochs.length !== t.epochs) {
          out.push({
            kind: 'epoch-count',
            ...where,
            file: f,
            message: `${name}: the table says ${t.epochs} epochs; ${f} logs ${run.log.epochs.length}.`,
          });
        }
        if (!same(best.valAccuracy, r.bestValAccuracy)) {
          out.push({
            kind: 'best-val',
            ...where,
            file: f,
            message: `${name}: best val acc ${fmtAcc(r.bestValAccuracy)} in the table, ${fmtAcc(best.valAccuracy)} (epoch ${best.epoch}) in ${f}.`,
          });
        }
        if (best.epoch !== r.bestEpoch) {
          const atRow = run.log.epochs.find((e) => e.epoch === r.bestEpoch);
          const tie = atRow && same(atRow.valAccuracy, best.valAccuracy) ? ', the same best value again (the table takes a later epoch of a tie)' : '';
          const atRowText = atRow ? `; at epoch ${r.bestEpoch} the log has val acc ${fmtAcc(atRow.valAccuracy)}${tie}` : `; the log has no epoch ${r.bestEpoch}`;
          out.push({
            kind: 'best-epoch',
            ...where,
            file: f,
            message: `${name}: best epoch ${r.bestEpoch} in the table, ${best.epoch} in ${f}${atRowText}${
              best.epoch - 1 === r.bestEpoch ? ` (the table's ${r.bestEpoch} is the log's 0-based "Epoch ${r.bestEpoch}/${(run.log.plannedEpochs ?? 0) - 1}")` : ''
            }.`,
          });
        }
        if (!same(best.trainAccuracy, r.trainAccuracy)) {
          out.push({
            kind: 'train-acc',
            ...where,
            file: f,
            message: `${name}: train acc at the best epoch ${fmtAcc(r.trainAccuracy)} in the table, ${fmtAcc(best.trainAccuracy)} in ${f}.`,
          });
        }
      }
      if (!run || !best || !rowMatchesBest(r, best)) {
        const other = otherLogWithRowNumbers(r, runs, run);
        if (other) {
          used.add(other);
          const ob = bestEpoch(other.log)!;
          out.push({
            kind: 'matches-other-log',
            ...where,
            file: other.file,
            message:
              `${name}: the row's numbers (${fmtAcc(r.trainAccuracy)} / ${fmtAcc(r.bestValAccuracy)} / epoch ${r.bestEpoch}) are those of ` +
              `${other.file} (L1=${fmtLambda(other.l1)}, L2=${fmtLambda(other.l2)}, ${other.log.epochs.length} epochs; best ${fmtAcc(ob.valAccuracy)} at epoch ${ob.epoch}).`,
          });
        }
      }
    }
  }
  for (const run of runs) {
    const f = run.file;
    const n = run.log.epochs.length;
    if (n > 0 && !run.log.completed) {
      out.push({
        kind: 'truncated',
        file: f,
        message:
          n === run.log.plannedEpochs
            ? `${f}: has all ${n} epochs but no closing "Training complete" / "Best val Acc" lines (the output was cut).`
            : `${f}: ends after epoch ${n} of ${run.log.plannedEpochs ?? '?'} without "Training complete" or "Best val Acc".`,
      });
    }
    if (run.log.plannedEpochsSeen.length > 1) {
      const seen = run.log.plannedEpochsSeen.map((p) => `"Epoch k/${p - 1}"`).join(', then ');
      out.push({ kind: 'header-changed', file: f, message: `${f}: the epoch headers change within the file (${seen}).` });
    }
    const best = bestEpoch(run.log);
    if (best && run.log.reportedBestValAccuracy !== null && !same(best.valAccuracy, run.log.reportedBestValAccuracy)) {
      out.push({
        kind: 'reported-best',
        file: f,
        message: `${f}: closing line says best val acc ${fmtAcc(run.log.reportedBestValAccuracy)}; its epochs' maximum is ${fmtAcc(best.valAccuracy)}.`,
      });
    }
    const inTable = tables.some((t) => t.rows.some((r) => r.model === run.model && sameLambda(r.l1, run.l1) && sameLambda(r.l2, run.l2)));
    if (!inTable) {
      out.push({
        kind: 'not-in-tables',
        file: f,
        message: `${f}: ${paperModelTitles[run.model]} with L1=${fmtLambda(run.l1)}, L2=${fmtLambda(run.l2)} is not a setting of the paper's tables${
          used.has(run) ? ' (yet a table row carries its numbers, see above)' : ''
        }.`,
      });
    }
  }
  return out;
}
