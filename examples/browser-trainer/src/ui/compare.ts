// The comparison of the runs done in this page: val accuracy curves overlaid, and a summary table.
import { renderLineChart } from '../charts/lineChart';
import type { EpochRecord, TrainStatus } from '../training/types';

export interface DoneRun {
  runId: string;
  backend: string;
  status: TrainStatus;
  seconds: number;
  history: EpochRecord[];
}

const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

/** The epoch with the highest val accuracy (the first one on ties), or null without epochs. */
export function bestEpoch(history: readonly EpochRecord[]): EpochRecord | null {
  return history.reduce<EpochRecord | null>((b, r) => (b === null || r.valAccuracy > b.valAccuracy ? r : b), null);
}

/** Draws #chart-compare (one val-accuracy series per run, `data-series="compare-<i>"`) and fills #runs-table. */
export function renderComparison(runs: readonly DoneRun[], root: Document = document): void {
  const chart = root.querySelector('#chart-compare');
  if (chart) {
    const epochs = Math.max(1, ...runs.map((r) => r.history.length));
    chart.innerHTML = renderLineChart(
      runs.map((r, i) => ({
        id: `compare-${i + 1}`,
        label: `#${i + 1}`,
        color: palette[i % palette.length]!,
        points: r.history.map((e) => [e.epoch, e.valAccuracy] as const),
      })),
      { title: 'Val accuracy of the runs in this page', xLabel: 'epoch', yDomain: [0, 1], xDomain: [1, epochs], width: 560 },
    );
  }
  const body = root.querySelector('#runs-table tbody');
  if (!body) return;
  body.replaceChildren(
    ...runs.map((r, i) => {
      const best = bestEpoch(r.history);
      const tr = root.createElement('tr');
      const cells = [
        `#${i + 1}`,
        r.runId,
        r.backend,
        r.status,
        String(r.history.length),
        best ? `${best.valAccuracy.toFixed(4)} (epoch ${best.epoch})` : '-',
        best ? best.trainAccuracy.toFixed(4) : '-',
        r.seconds.toFixed(1),
      ];
      for (const c of cells) {
        const td = root.createElement('td');
        td.textContent = c;
        tr.append(td);
      }
      return tr;
    }),
  );
}
