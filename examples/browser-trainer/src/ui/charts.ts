// The page's five charts, rendered from the run's state.
import { renderLineChart, type Series } from '../charts/lineChart';
import type { EpochRecord, WeightTotals } from '../training/types';

export interface ChartState {
  epochs: number;
  history: EpochRecord[];
  weights: { epoch: number; totals: WeightTotals }[];
  /** [fractional epoch, loss] of every training batch */
  batchLoss: [number, number][];
}

const colors = { train: '#1f77b4', val: '#d62728', batch: '#9ecae1', l1: '#2ca02c', l2: '#9467bd', sparse: '#ff7f0e' };

function pts(h: EpochRecord[], key: keyof EpochRecord): [number, number][] {
  return h.map((r) => [r.epoch, Number(r[key])]);
}

/** Writes the SVG of each chart into its container (#chart-loss, #chart-accuracy, #chart-l1, #chart-l2, #chart-sparsity). */
export function renderCharts(state: ChartState, root: ParentNode = document): void {
  const xDomain: [number, number] = [0, Math.max(state.epochs, 1)];
  const put = (id: string, series: Series[], title: string, yDomain?: [number, number]): void => {
    const el = root.querySelector(`#${id}`);
    if (el) el.innerHTML = renderLineChart(series, { title, xLabel: 'epoch', xDomain, ...(yDomain ? { yDomain } : {}) });
  };
  put(
    'chart-loss',
    [
      { id: 'train-batch-loss', label: 'train (batches)', color: colors.batch, points: state.batchLoss },
      { id: 'train-loss', label: 'train', color: colors.train, points: pts(state.history, 'trainLoss') },
      { id: 'val-loss', label: 'val', color: colors.val, points: pts(state.history, 'valDataLoss'), dashed: true },
    ],
    'Loss (cross-entropy, without penalty)',
  );
  put(
    'chart-accuracy',
    [
      { id: 'train-accuracy', label: 'train', color: colors.train, points: pts(state.history, 'trainAccuracy') },
      { id: 'val-accuracy', label: 'val', color: colors.val, points: pts(state.history, 'valAccuracy'), dashed: true },
    ],
    'Accuracy',
    [0, 1],
  );
  put('chart-l1', [{ id: 'weights-l1', label: 'Σ|w|', color: colors.l1, points: state.weights.map((w) => [w.epoch, w.totals.l1]) }], 'L1 norm of the weights');
  put('chart-l2', [{ id: 'weights-l2', label: '√Σw²', color: colors.l2, points: state.weights.map((w) => [w.epoch, w.totals.l2]) }], 'L2 norm of the weights');
  const eps = state.weights[0]?.totals.eps;
  put(
    'chart-sparsity',
    [{ id: 'weights-sparsity', label: eps !== undefined && Number.isFinite(eps) ? `|w| <= ${eps}` : '|w| near 0', color: colors.sparse, points: state.weights.map((w) => [w.epoch, w.totals.fractionNearZero]) }],
    'Sparsity (fraction of near-zero weights)',
    [0, 1],
  );
}
