import { describe, expect, it } from 'vitest';
import { findDisagreements } from '../src/paper/disagreements';
import type { OriginalEpoch, OriginalLog } from '../src/paper/original-log';
import { loadOriginalRuns, type OriginalRun } from '../src/paper/original-runs';
import { paperTables, type PaperTable } from '../src/paper/tables';

/** A log whose epoch k has val acc `vals[k-1]` and train acc `2 * val`. */
function log(vals: number[], extra: Partial<OriginalLog> = {}): OriginalLog {
  const epochs: OriginalEpoch[] = vals.map((v, i) => ({ epoch: i + 1, trainLoss: 1, trainAccuracy: 2 * v, valLoss: 1, valAccuracy: v }));
  return { epochs, plannedEpochs: vals.length || null, plannedEpochsSeen: vals.length ? [vals.length] : [], completed: vals.length > 0, trainingSeconds: null, reportedBestValAccuracy: Math.max(0, ...vals), ...extra };
}
const run = (file: string, l1: number, l2: number, l: OriginalLog): OriginalRun => ({ file, model: 'new', l1, l2, log: l });

const table: PaperTable = {
  id: 2,
  title: 't',
  model: 'new',
  epochs: 3,
  rows: [
    { model: 'new', l1: 0, l2: 0, trainAccuracy: 0.4, bestValAccuracy: 0.2, bestEpoch: 2 }, // agrees with a.txt
    { model: 'new', l1: 1e-4, l2: 0, trainAccuracy: 0.5, bestValAccuracy: 0.25, bestEpoch: 3 }, // b.txt says 0.3 at 2
    { model: 'new', l1: 0, l2: 1e-4, trainAccuracy: 0.6, bestValAccuracy: 0.3, bestEpoch: 1 }, // no log; numbers of c.txt
  ],
};

describe('findDisagreements', () => {
  it('reports nothing when table and logs agree', () => {
    expect(findDisagreements([{ ...table, rows: [table.rows[0]!] }], [run('a.txt', 0, 0, log([0.1, 0.2, 0.15]))])).toEqual([]);
  });

  it('finds differing numbers, missing logs, logs with other lambdas and logs off the tables', () => {
    const runs = [
      run('a.txt', 0, 0, log([0.1, 0.2, 0.15])),
      run('b.txt', 1e-4, 0, log([0.1, 0.3, 0.25])),
      run('c.txt', 0, 1e-3, log([0.3, 0.1])),
    ];
    const found = findDisagreements([table], runs);
    expect(found.map((d) => [d.kind, d.table ?? null, d.file ?? null])).toEqual([
      ['best-val', 2, 'b.txt'],
      ['best-epoch', 2, 'b.txt'],
      ['train-acc', 2, 'b.txt'],
      ['missing-log', 2, null],
      ['matches-other-log', 2, 'c.txt'],
      ['not-in-tables', null, 'c.txt'],
    ]);
    expect(found[0]!.message).toBe('Table 2 (New Model, L1=1e-4, L2=0): best val acc 0.2500 in the table, 0.3000 (epoch 2) in b.txt.');
    expect(found[1]!.message).toContain('at epoch 3 the log has val acc 0.2500');
    expect(found[2]!.message).toContain('0.5000 in the table, 0.6000 in b.txt');
    expect(found[4]!.message).toContain('(L1=0, L2=1e-3, 2 epochs; best 0.3000 at epoch 1)');
    expect(found[5]!.message).toContain('yet a table row carries its numbers');
  });

  it('flags an empty log, a short run, a truncated log and a wrong closing line', () => {
    const runs = [
      run('a.txt', 0, 0, log([])),
      run('b.txt', 1e-4, 0, log([0.1, 0.25], { completed: false, plannedEpochs: 3, reportedBestValAccuracy: null })),
      run('c.txt', 0, 1e-4, log([0.3, 0.1, 0.1], { reportedBestValAccuracy: 0.31 })),
    ];
    const kinds = findDisagreements([table], runs).map((d) => `${d.kind}:${d.file ?? ''}`);
    expect(kinds).toEqual([
      'empty-log:a.txt',
      'epoch-count:b.txt',
      'best-epoch:b.txt',
      'truncated:b.txt',
      'reported-best:c.txt',
    ]);
  });

  it('treats accuracies within 0.5e-4 as equal', () => {
    const r = [run('a.txt', 0, 0, log([0.1, 0.20004, 0.15]))];
    expect(findDisagreements([{ ...table, rows: [{ ...table.rows[0]!, trainAccuracy: 0.40008 }] }], r)).toEqual([]);
  });
});

describe('the paper against its original logs', () => {
  const found = findDisagreements(paperTables, loadOriginalRuns());
  const has = (kind: string, table: number | null, file: string | null, text?: string): boolean =>
    found.some((d) => d.kind === kind && (d.table ?? null) === table && (d.file ?? null) === file && (!text || d.message.includes(text)));

  it('finds the disagreements STUDY-NOTES.md names', () => {
    // Table 1's last row carries the numbers of the l2 = 1e-3 run (25 epochs, best 0.1116 at epoch 25).
    expect(has('matches-other-log', 1, 'initmodel_l1-0.0001_l2-0.001_outputs.txt')).toBe(true);
    // Table 1's L1-only row: epoch 49 in the table, 42 in the log (best 0.1364 both).
    expect(has('best-epoch', 1, 'initmodel_l1-0.0001_l2-0_outputs.txt', 'best epoch 49 in the table, 42 in')).toBe(true);
    expect(has('best-epoch', 1, 'initmodel_l1-0.0001_l2-0_outputs.txt', 'the same best value again')).toBe(true);
    expect(has('best-val', 1, 'initmodel_l1-0.0001_l2-0_outputs.txt')).toBe(false);
    // The Initial L2-only run lasted 25 epochs.
    expect(has('epoch-count', 1, 'initmodel_l1-0_l2-0.0001_outputs.txt', 'the table says 50 epochs; initmodel_l1-0_l2-0.0001_outputs.txt logs 25')).toBe(true);
    // The Initial unregularised log is empty.
    expect(has('empty-log', 1, 'initmodel_l1-0_l2-0_outputs.txt')).toBe(true);
  });

  it('also finds the ones a reader has to count: a missing New L2-only log, a truncated ResNet log, off-grid runs', () => {
    expect(has('missing-log', 2, null, 'L1=0, L2=1e-4')).toBe(true);
    expect(has('truncated', null, 'resnet_l1-0_l2-0_outputs.txt')).toBe(true);
    expect(has('header-changed', null, 'resnet_l1-0.0001_l2-0.0001_outputs.txt', '"Epoch k/49", then "Epoch k/24"')).toBe(true);
    expect(has('not-in-tables', null, 'resnet_l1-0.001_l2-0.0001_outputs.txt')).toBe(true);
    expect(has('not-in-tables', null, 'resnet_l1-0.0001_l2-0.001_outputs.txt')).toBe(true);
    // The ResNet L1+L2 row's epoch (10) is the log's 0-based index of its best epoch (11).
    expect(has('best-epoch', 3, 'resnet_l1-0.0001_l2-0.0001_outputs.txt', "0-based")).toBe(true);
  });

  it('agrees where the numbers agree: Table 2 rows with a log, Table 3 first three rows', () => {
    for (const file of ['newmodel_l1-0_l2-0_outputs.txt', 'newmodel_l1-0.0001_l2-0_outputs.txt', 'newmodel_l1-0.0001_l2-0.0001_outputs.txt', 'resnet_l1-0_l2-0.0001_outputs.txt', 'resnet_l1-0.0001_l2-0_outputs.txt']) {
      expect(found.filter((d) => d.file === file)).toEqual([]);
    }
  });
});
