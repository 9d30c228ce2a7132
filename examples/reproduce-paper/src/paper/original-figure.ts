import { renderSvg, settingCurvesSpec } from '@regstudy/trainer/report';
import type { OriginalRun } from './original-runs';
import { paperModelTitles, type PaperModel } from './tables';

/** The Vega-Lite spec type `renderSvg` takes (vega-lite's TopLevelSpec). */
type Spec = Parameters<typeof renderSvg>[0];

const fmtLambda = (x: number): string => (x === 0 ? '0' : x.toExponential().replace('e+', 'e'));

/**
 * A Vega-Lite spec with every original log of `model` (the grid's settings and the runs outside
 * it, e.g. L2 = 1e-3): loss and accuracy per epoch, one colour per (L1, L2), drawn like the
 * trainer report's overlays (train dashed, val solid). Losses are as logged (L1 term included in
 * train and val loss).
 */
export function originalCurvesSpec(model: PaperModel, runs: readonly OriginalRun[]): Spec {
  const points = runs
    .filter((r) => r.model === model)
    .flatMap((r) => {
      const setting = `L1=${fmtLambda(r.l1)}, L2=${fmtLambda(r.l2)}`;
      return r.log.epochs.flatMap((e) => [
        { epoch: e.epoch, metric: 'loss' as const, split: 'train', setting, value: e.trainLoss },
        { epoch: e.epoch, metric: 'loss' as const, split: 'val', setting, value: e.valLoss },
        { epoch: e.epoch, metric: 'accuracy' as const, split: 'train', setting, value: e.trainAccuracy },
        { epoch: e.epoch, metric: 'accuracy' as const, split: 'val', setting, value: e.valAccuracy },
      ]);
    });
  return settingCurvesSpec(`${paperModelTitles[model]}: the original runs (logs)`, points);
}

/** Renders {@link originalCurvesSpec} to SVG; null when the model has no log with epochs. */
export async function originalCurvesSvg(model: PaperModel, runs: readonly OriginalRun[]): Promise<string | null> {
  if (!runs.some((r) => r.model === model && r.log.epochs.length > 0)) return null;
  return renderSvg(originalCurvesSpec(model, runs));
}
