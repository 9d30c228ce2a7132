import { bestOf } from '../loop/types';
import type { RunResult } from './read-results';
import type { ReferenceRow, ResolvedReference } from './reference';
import { bootstrapDiffCI, mean, std, type BootstrapCI } from './stats';

export interface MeanStd {
  mean: number;
  std: number;
  values: number[];
}

/** One line of a model's table: one regularization setting, over its seeds. */
export interface TableRow {
  model: string;
  /** Run id without the model and seed, e.g. `l1-0.0001_l2-0`. */
  setting: string;
  l1: number;
  l2: number;
  seeds: number[];
  /** Train accuracy at the best-val epoch. */
  trainAccuracy: MeanStd;
  /** Best validation accuracy. */
  valAccuracy: MeanStd;
  /** 1-based epoch of the best validation accuracy. */
  epoch: MeanStd;
  /** Bootstrap CI of mean best val acc minus the unregularised setting's (null for that one / n < 2). */
  diffVsUnregularized: BootstrapCI | null;
  /** Run statuses other than 'completed', e.g. ['diverged']. */
  notes: string[];
  reference?: ReferenceRow;
}

export interface ModelTable {
  model: string;
  rows: TableRow[];
  /** More than one seed in some row. */
  multiSeed: boolean;
}

const settingOf = (run: RunResult) => {
  const { model, seed } = run.config;
  return run.runId.slice(model.length + 1, run.runId.length - `_seed-${seed}`.length);
};

const isUnregularized = (run: RunResult) => {
  const r = run.config.regularization;
  return r.l1 === 0 && r.l2 === 0 && r.proximalL1 === 0 && r.decoupledDecay === 0;
};

const meanStd = (values: number[]): MeanStd => ({ mean: mean(values), std: std(values), values });

/**
 * Builds the paper-style table of every model: per setting, the train accuracy at the epoch of
 * best validation accuracy, that best validation accuracy and its epoch (mean +- sample std over
 * seeds), and a seeded bootstrap 95% CI of the difference in best val accuracy to the
 * unregularised setting (paired by seed when both have the same seeds).
 */
export function buildTables(
  runs: readonly RunResult[],
  opts: { reference?: ResolvedReference; resamples?: number; seed?: number } = {},
): ModelTable[] {
  const models = [...new Set(runs.map((r) => r.config.model))];
  return models.map((model) => {
    const mine = runs.filter((r) => r.config.model === model && r.history.length > 0);
    const groups = new Map<string, RunResult[]>();
    for (const run of [...mine].sort((a, b) => a.config.gridIndex - b.config.gridIndex)) {
      const key = settingOf(run);
      groups.set(key, [...(groups.get(key) ?? []), run]);
    }
    const baseline = [...groups.values()].find((g) => isUnregularized(g[0]!));
    const bestVal = (g: RunResult[]) => new Map(g.map((r) => [r.config.seed, bestOf(r.history)!.valAccuracy]));
    const rows: TableRow[] = [...groups.entries()].map(([setting, group]) => {
      const bests = group.map((r) => bestOf(r.history)!);
      const { l1, l2 } = group[0]!.config.regularization;
      let diff: BootstrapCI | null = null;
      if (baseline && baseline !== group && group.length > 1 && baseline.length > 1) {
        const a = bestVal(group);
        const b = bestVal(baseline);
        const shared = [...a.keys()].filter((s) => b.has(s));
        const paired = shared.length === a.size && shared.length === b.size;
        diff = paired
          ? bootstrapDiffCI(shared.map((s) => a.get(s)!), shared.map((s) => b.get(s)!), { paired: true, resamples: opts.resamples, seed: opts.seed })
          : bootstrapDiffCI([...a.values()], [...b.values()], { paired: false, resamples: opts.resamples, seed: opts.seed });
      }
      const reference = opts.reference?.models[model]?.rows.find((r) => r.l1 === l1 && r.l2 === l2);
      return {
        model,
        setting,
        l1,
        l2,
        seeds: group.map((r) => r.config.seed),
        trainAccuracy: meanStd(bests.map((b) => b.trainAccuracy)),
        valAccuracy: meanStd(bests.map((b) => b.valAccuracy)),
        epoch: meanStd(bests.map((b) => b.epoch)),
        diffVsUnregularized: diff,
        notes: group.filter((r) => r.status.status !== 'completed').map((r) => `seed ${r.config.seed}: ${r.status.status}`),
        ...(reference ? { reference } : {}),
      };
    });
    return { model, rows, multiSeed: rows.some((r) => r.seeds.length > 1) };
  });
}

const f4 = (x: number) => x.toFixed(4);
const signed = (x: number) => `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(4)}`;
const ms = (m: MeanStd, digits = 4) => (m.values.length > 1 ? `${m.mean.toFixed(digits)} ± ${m.std.toFixed(digits)}` : m.mean.toFixed(digits === 4 ? 4 : 0));

/** The table as column headers and string cells (shared by the Markdown and HTML renderers). */
export function tableCells(table: ModelTable): { header: string[]; rows: string[][] } {
  const hasRef = table.rows.some((r) => r.reference);
  const header = ['L1', 'L2', 'Train accuracy', 'Best val accuracy', 'Epoch of best val'];
  if (table.multiSeed) header.push('Seeds', 'Δ val vs unregularised [95% CI]');
  if (hasRef) header.push('Ref. train', 'Ref. val', 'Ref. epoch');
  header.push('Notes');
  const rows = table.rows.map((r) => {
    const cells = [String(r.l1), String(r.l2), ms(r.trainAccuracy), ms(r.valAccuracy), ms(r.epoch, 1)];
    if (table.multiSeed) {
      const d = r.diffVsUnregularized;
      cells.push(String(r.seeds.length), d ? `${signed(d.estimate)} [${signed(d.lower)}, ${signed(d.upper)}]` : '');
    }
    if (hasRef) {
      const ref = r.reference;
      cells.push(ref ? f4(ref.trainAccuracy) : '', ref ? f4(ref.valAccuracy) : '', ref ? String(ref.epoch) : '');
    }
    const notes = [...r.notes, ...(r.setting.includes('_') && !/^l1-[^_]+_l2-[^_]+$/.test(r.setting) ? [r.setting] : []), ...(r.reference?.note ? [`ref: ${r.reference.note}`] : [])];
    cells.push(notes.join('; '));
    return cells;
  });
  return { header, rows };
}

/** GitHub-flavoured Markdown table for one model. */
export function tableToMarkdown(table: ModelTable): string {
  const { header, rows } = tableCells(table);
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const csvCell = (v: string | number | undefined) => {
  const s = v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Machine-readable CSV for one model (full precision, one line per setting). */
export function tableToCsv(table: ModelTable): string {
  const header = [
    'model', 'setting', 'l1', 'l2', 'n', 'seeds', 'train_acc_mean', 'train_acc_std', 'best_val_acc_mean', 'best_val_acc_std',
    'best_epoch_mean', 'best_epoch_std', 'diff_val_vs_unreg', 'diff_ci_low', 'diff_ci_high', 'ref_train_acc', 'ref_val_acc', 'ref_epoch', 'notes',
  ];
  const lines = table.rows.map((r) =>
    [
      r.model, r.setting, r.l1, r.l2, r.seeds.length, r.seeds.join(' '), r.trainAccuracy.mean, r.trainAccuracy.std,
      r.valAccuracy.mean, r.valAccuracy.std, r.epoch.mean, r.epoch.std, r.diffVsUnregularized?.estimate,
      r.diffVsUnregularized?.lower, r.diffVsUnregularized?.upper, r.reference?.trainAccuracy, r.reference?.valAccuracy,
      r.reference?.epoch, r.notes.join('; '),
    ].map(csvCell).join(','),
  );
  return `${[header.join(','), ...lines].join('\n')}\n`;
}
