import type { AfterEpochInfo } from '../loop/train-options';
import { recoverKeptWeights, saveKeptWeights, type KeptFormat } from './kept-weights';

/**
 * The `afterEpoch` train option that keeps a run's weights in `modelDir` (`best/` when an epoch
 * becomes the best, `last/` after every epoch), or nothing when `keep` is false. Tidies what a
 * crash may have left in `modelDir` first, so a resumed run keeps the best from before the resume.
 */
export async function keptWeightsHook(
  modelDir: string,
  keep: boolean | readonly KeptFormat[],
): Promise<{ afterEpoch?: (info: AfterEpochInfo) => Promise<void> }> {
  if (keep === false) return {};
  const formats: readonly KeptFormat[] = keep === true ? ['tfjs', 'pytorch'] : keep;
  await recoverKeptWeights(modelDir);
  return {
    afterEpoch: async ({ record, best, model }) => {
      const meta = { epoch: record.epoch, valAccuracy: record.valAccuracy, valLoss: record.valLoss, valDataLoss: record.valDataLoss };
      if (best?.epoch === record.epoch) await saveKeptWeights(modelDir, 'best', model, meta, formats);
      await saveKeptWeights(modelDir, 'last', model, meta, formats);
    },
  };
}
