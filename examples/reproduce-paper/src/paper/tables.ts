/**
 * The paper's Tables 1-3, as published. Accuracies are fractions in [0, 1]; `bestEpoch` is 1-based.
 * "Train accuracy" is the train accuracy logged in the epoch of the best validation accuracy.
 */

/** The paper's three models, under the names `@regstudy/architectures` registers them. */
export type PaperModel = 'initial' | 'new' | 'resnet18';

export const paperModels: readonly PaperModel[] = ['initial', 'new', 'resnet18'];

/** One row of a paper table. */
export interface PaperTableRow {
  model: PaperModel;
  l1: number;
  l2: number;
  trainAccuracy: number;
  bestValAccuracy: number;
  bestEpoch: number;
}

/** One of the paper's result tables. */
export interface PaperTable {
  id: 1 | 2 | 3;
  title: string;
  model: PaperModel;
  /** Epochs the paper says each run of this table lasted. */
  epochs: number;
  rows: PaperTableRow[];
}

/** The four (L1, L2) settings of the grid, in the tables' order. */
export const paperLambdas: readonly { l1: number; l2: number }[] = [
  { l1: 0, l2: 0 },
  { l1: 1e-4, l2: 0 },
  { l1: 0, l2: 1e-4 },
  { l1: 1e-4, l2: 1e-4 },
];

const rows = (model: PaperModel, values: [number, number, number][]): PaperTableRow[] =>
  values.map(([trainAccuracy, bestValAccuracy, bestEpoch], i) => ({
    model,
    l1: paperLambdas[i]!.l1,
    l2: paperLambdas[i]!.l2,
    trainAccuracy,
    bestValAccuracy,
    bestEpoch,
  }));

export const paperTables: readonly PaperTable[] = [
  {
    id: 1,
    title: 'Table 1: Initial Model',
    model: 'initial',
    epochs: 50,
    rows: rows('initial', [
      [0.2907, 0.1323, 22],
      [0.2293, 0.1364, 49],
      [0.2408, 0.136, 19],
      [0.1396, 0.1116, 25],
    ]),
  },
  {
    id: 2,
    title: 'Table 2: New Model',
    model: 'new',
    epochs: 50,
    rows: rows('new', [
      [0.2979, 0.1571, 38],
      [0.1389, 0.1169, 50],
      [0.3466, 0.1764, 44],
      [0.1146, 0.1034, 47],
    ]),
  },
  {
    id: 3,
    title: 'Table 3: ResNet-18',
    model: 'resnet18',
    epochs: 25,
    rows: rows('resnet18', [
      [0.3776, 0.2431, 10],
      [0.4747, 0.2559, 13],
      [0.4615, 0.2368, 12],
      [0.3959, 0.2456, 10],
    ]),
  },
];

/** Display names used in the paper. */
export const paperModelTitles: Record<PaperModel, string> = {
  initial: 'Initial Model',
  new: 'New Model',
  resnet18: 'ResNet-18',
};
