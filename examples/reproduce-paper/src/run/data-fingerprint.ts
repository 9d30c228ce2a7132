import { basename } from 'node:path';
import type { DataPlan } from '../cli/plan';

const per = (n: number | undefined): string => (n === undefined ? 'all' : String(n));

/**
 * What identifies a plan's data beyond its image counts, stored in each run's config.json as the
 * trainer's `dataFingerprint` and compared when a run is found again: the source (folder, zip or
 * URL; for the synthetic twin its cache folder's name, which encodes classes, images per class and
 * seed) and the subset asked for (classes, train and val images per class; `all` when not limited).
 * Computed from the plan alone, so that `--report-only` can check it without loading any data.
 * @example "tiny-imagenet /data/A.zip classes=20 train-per-class=30 val-per-class=all"
 */
export function dataFingerprintOf(data: DataPlan): string {
  if (data.kind === 'synthetic') {
    return `synthetic ${basename(data.dir)} classes=${data.classes} train-per-class=${data.trainPerClass} val-per-class=${data.valPerClass}`;
  }
  return `tiny-imagenet ${data.source} classes=${per(data.classes)} train-per-class=${per(data.trainPerClass)} val-per-class=${per(data.valPerClass)}`;
}
