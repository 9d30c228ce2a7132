import type { TopLevelSpec } from 'vega-lite';
import type { RunResult } from './read-results';
import type { ReferencePoint } from './reference';

interface Point {
  epoch: number;
  metric: 'loss' | 'accuracy';
  split: string;
  source: string;
  value: number;
}

const finite = (p: Point) => Number.isFinite(p.value);

/** Long-format points of one history: loss = total loss (data + penalty, as the paper logs it). */
function historyPoints(run: RunResult, source: string): Point[] {
  return run.history.flatMap((r) => [
    { epoch: r.epoch, metric: 'loss' as const, split: 'train', source, value: r.trainTotalLoss },
    { epoch: r.epoch, metric: 'loss' as const, split: 'val', source, value: r.valLoss },
    { epoch: r.epoch, metric: 'accuracy' as const, split: 'train', source, value: r.trainAccuracy },
    { epoch: r.epoch, metric: 'accuracy' as const, split: 'val', source, value: r.valAccuracy },
  ]);
}

function referencePoints(points: readonly ReferencePoint[], source: string): Point[] {
  const out: Point[] = [];
  for (const p of points) {
    if (p.trainLoss !== undefined) out.push({ epoch: p.epoch, metric: 'loss', split: 'train', source, value: p.trainLoss });
    if (p.valLoss !== undefined) out.push({ epoch: p.epoch, metric: 'loss', split: 'val', source, value: p.valLoss });
    if (p.trainAccuracy !== undefined) out.push({ epoch: p.epoch, metric: 'accuracy', split: 'train', source, value: p.trainAccuracy });
    if (p.valAccuracy !== undefined) out.push({ epoch: p.epoch, metric: 'accuracy', split: 'val', source, value: p.valAccuracy });
  }
  return out;
}

/** The smallest and largest epoch of some points ([1, 1] for none). */
function epochRange(points: readonly Point[]): [number, number] {
  if (!points.length) return [1, 1];
  const epochs = points.map((p) => p.epoch);
  return [Math.min(...epochs), Math.max(...epochs)];
}

/** Loss and accuracy side by side for one source, x on exactly the given epochs. */
function curvesPanel(title: string, values: Point[], dash: boolean) {
  const domain = epochRange(values);
  return {
    title,
    data: { values },
    facet: { column: { field: 'metric', type: 'nominal' as const, sort: ['loss', 'accuracy'], title: null } },
    spec: {
      width: 260,
      height: 180,
      mark: { type: 'line' as const, point: values.length < 400, ...(dash ? { strokeDash: [5, 3] } : {}) },
      encoding: {
        x: { field: 'epoch', type: 'quantitative' as const, title: 'epoch', scale: { domain, nice: false }, axis: { tickMinStep: 1, format: 'd' } },
        y: { field: 'value', type: 'quantitative' as const, title: null, scale: { zero: false } },
        color: { field: 'split', type: 'nominal' as const, title: 'split', scale: { domain: ['train', 'val'] } },
      },
    },
    resolve: { scale: { y: 'independent' as const } },
  };
}

/**
 * One run's figure (like the paper's Figures 5-17): loss and accuracy per epoch, train and val,
 * side by side, x spanning exactly this run's epochs. A reference run (e.g. the original log of
 * the same setting), when given, is drawn beside it (dashed) on its own epoch range, so that a
 * 5-epoch run is not squashed into the left tenth of a 50-epoch axis.
 */
export function runChartSpec(run: RunResult, reference?: { source: string; history: readonly ReferencePoint[] }): TopLevelSpec {
  const ours = historyPoints(run, 'ours').filter(finite);
  const panels = [curvesPanel(`ours (${run.history.length} epochs)`, ours, false)];
  if (reference) {
    const theirs = referencePoints(reference.history, reference.source).filter(finite);
    if (theirs.length) panels.push(curvesPanel(`${reference.source} (${epochRange(theirs)[1]} epochs)`, theirs, true));
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: run.runId,
    hconcat: panels,
    resolve: { scale: { x: 'independent', y: 'independent' } },
  } as TopLevelSpec;
}

/** One point of {@link settingCurvesSpec}: a value of one curve (setting x split x seed) at an epoch. */
export interface SettingCurvePoint {
  epoch: number;
  metric: 'loss' | 'accuracy';
  split: string;
  /** The legend entry, e.g. an (L1, L2) setting. */
  setting: string;
  value: number;
  /** Runs of the same setting with different seeds are drawn as separate lines. */
  seed?: number | string;
}

/**
 * Loss and accuracy per epoch side by side, one colour and marker shape per setting and one line
 * per seed, train dashed and val solid; the hollow markers keep settings whose curves coincide
 * both visible. Non-finite values are dropped.
 */
export function settingCurvesSpec(title: string, points: readonly SettingCurvePoint[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: points.filter((p) => Number.isFinite(p.value)).map((p) => ({ ...p, seed: p.seed ?? 0 })) },
    facet: { column: { field: 'metric', type: 'nominal', sort: ['loss', 'accuracy'], title: null } },
    spec: {
      width: 320,
      height: 220,
      mark: { type: 'line', point: { filled: false, size: 36 } },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1, format: 'd' } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'setting', type: 'nominal' },
        shape: { field: 'setting', type: 'nominal' },
        strokeDash: { field: 'split', type: 'nominal', sort: ['val', 'train'] },
        detail: { field: 'seed', type: 'nominal' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** One model's overlay: every setting (colour) and seed (one line each), train dashed, val solid. */
export function overlayChartSpec(model: string, runs: readonly RunResult[]): TopLevelSpec {
  const points = runs.flatMap((run) =>
    historyPoints(run, 'ours').map(({ epoch, metric, split, value }) => ({
      epoch,
      metric,
      split,
      value,
      setting: run.runId.slice(model.length + 1, run.runId.lastIndexOf('_seed-')),
      seed: run.config.seed,
    })),
  );
  return settingCurvesSpec(`${model}: all settings`, points);
}

/** Renders a Vega-Lite spec to SVG headless (vega View with renderer 'none'; no canvas needed). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
