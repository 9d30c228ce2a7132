import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { exportTorchStateDict } from '@regstudy/architectures';
import { nodeModules, writeAtomic } from '../internal/node-fs';

/** Which kept weights: those of the best epoch (highest val accuracy, first wins) or of the last one. */
export type KeptWhich = 'best' | 'last';

/** Formats a run's weights are kept in: tfjs LayersModel (`model.json` + `weights.bin`), PyTorch state dict (`model.safetensors`). */
export type KeptFormat = 'tfjs' | 'pytorch';

/** `userDefinedMetadata.regstudy` of a kept `model.json`: which epoch the weights are from. */
export interface KeptModelMetadata {
  which: KeptWhich;
  /** 1-based epoch whose end-of-epoch weights these are. */
  epoch: number;
  /** `EpochRecord.valAccuracy` of that epoch. */
  valAccuracy: number;
  /** `EpochRecord.valLoss` (cross-entropy + penalty) of that epoch. */
  valLoss: number;
  /** `EpochRecord.valDataLoss` of that epoch. */
  valDataLoss: number;
}

/** File names inside `<runDir>/model/<which>/`. */
export const KEPT_FILES = { modelJson: 'model.json', weights: 'weights.bin', torch: 'model.safetensors' } as const;

const oldPattern = (which: KeptWhich) => new RegExp(`^\\.${which}\\.old-`);

/**
 * Writes the model's weights (float32, no optimizer state) to `<modelDir>/<which>/`: `model.json` and
 * `weights.bin` (tfjs LayersModel format, loadable with `tf.loadLayersModel` or `loadKeptModel`) and
 * `model.safetensors` (PyTorch state dict, `exportTorchStateDict` of @regstudy/architectures).
 * Atomic as a folder: files go into a temporary folder (each fsynced), the previous folder is renamed
 * aside, the new one renamed into place, the previous one removed ({@link recoverKeptWeights} undoes
 * a crash between the two renames).
 */
export async function saveKeptWeights(
  modelDir: string,
  which: KeptWhich,
  model: tfl.LayersModel,
  metadata: Omit<KeptModelMetadata, 'which'>,
  formats: readonly KeptFormat[],
): Promise<void> {
  const { fs, path } = await nodeModules();
  await fs.mkdir(modelDir, { recursive: true });
  const stamp = `${process.pid}-${Date.now()}`;
  const tmp = path.join(modelDir, `.${which}.tmp-${stamp}`);
  await fs.mkdir(tmp);
  try {
    if (formats.includes('pytorch')) await writeAtomic(fs, path.join(tmp, KEPT_FILES.torch), [exportTorchStateDict(model)]);
    if (formats.includes('tfjs')) {
      let artifacts: tf.io.ModelArtifacts | null = null;
      await model.save(
        tf.io.withSaveHandler(async (a) => {
          artifacts = a;
          return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
        }),
        { includeOptimizer: false },
      );
      const a = artifacts as tf.io.ModelArtifacts | null;
      if (!a || !a.weightSpecs || a.weightData === undefined) throw new Error(`keep weights: model "${model.name}" saved no weights`);
      const bin = new Uint8Array(tf.io.CompositeArrayBuffer.join(a.weightData));
      const json: tf.io.ModelJSON = {
        format: a.format ?? 'layers-model',
        generatedBy: a.generatedBy ?? 'TensorFlow.js tfjs-layers',
        convertedBy: null,
        modelTopology: a.modelTopology as object,
        weightsManifest: [{ paths: [`./${KEPT_FILES.weights}`], weights: a.weightSpecs }],
        userDefinedMetadata: { regstudy: { which, ...metadata } },
      };
      await writeAtomic(fs, path.join(tmp, KEPT_FILES.weights), [bin]);
      await writeAtomic(fs, path.join(tmp, KEPT_FILES.modelJson), [JSON.stringify(json)]);
    }
    const final = path.join(modelDir, which);
    const old = path.join(modelDir, `.${which}.old-${stamp}`);
    try {
      await fs.rename(final, old);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await fs.rename(tmp, final);
    await fs.rm(old, { recursive: true, force: true });
  } catch (error) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw new Error(`keep weights: writing ${path.join(modelDir, which)} failed (${(error as Error).message})`);
  }
}

/**
 * Tidies `<modelDir>` after a crash: a `<which>` folder renamed aside but not replaced is moved back,
 * temporary folders are removed.
 */
export async function recoverKeptWeights(modelDir: string): Promise<void> {
  const { fs, path } = await nodeModules();
  let names: string[];
  try {
    names = await fs.readdir(modelDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const which of ['best', 'last'] as const) {
    const olds = names.filter((n) => oldPattern(which).test(n)).sort();
    const newest = olds.pop();
    if (newest !== undefined && !names.includes(which)) await fs.rename(path.join(modelDir, newest), path.join(modelDir, which));
    else if (newest !== undefined) olds.push(newest);
    for (const n of olds) await fs.rm(path.join(modelDir, n), { recursive: true, force: true });
  }
  for (const n of names.filter((x) => /^\.(best|last)\.tmp-/.test(x))) await fs.rm(path.join(modelDir, n), { recursive: true, force: true });
}
