import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { nodeModules } from '../internal/node-fs';
import { KEPT_FILES, type KeptModelMetadata, type KeptWhich } from '../study/kept-weights';

/** A model loaded from a run's `model/<which>/` folder. */
export interface KeptModel {
  /** The rebuilt model with the kept weights (the caller disposes it). */
  model: tfl.LayersModel;
  /** Which epoch the weights are from (null for a model.json not written by runStudy). */
  metadata: KeptModelMetadata | null;
  /** The folder it was read from. */
  dir: string;
}

/**
 * Loads the weights {@link runStudy} kept for a run: `<runDir>/model/<which>/model.json` and its
 * weight files (tfjs LayersModel format), without `@tensorflow/tfjs-node`.
 *
 * @param runDir a run folder of a study (`<outDir>/<runId>`)
 * @param which 'best' (the epoch with the highest val accuracy) or 'last' [best]
 * @throws Error naming the missing or malformed file
 */
export async function loadKeptModel(runDir: string, which: KeptWhich = 'best'): Promise<KeptModel> {
  if (which !== 'best' && which !== 'last') throw new Error(`loadKeptModel: which: expected 'best' or 'last', got ${JSON.stringify(which)}`);
  const { fs, path } = await nodeModules();
  const dir = path.join(runDir, 'model', which);
  const file = path.join(dir, KEPT_FILES.modelJson);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${file}: not found (the run kept no ${which} weights: it ran with keepWeights false, without 'tfjs', or finished no epoch)`);
    }
    throw error;
  }
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(text) as tf.io.ModelJSON;
  } catch (error) {
    throw new Error(`${file}: invalid JSON (${(error as Error).message})`);
  }
  if (json.modelTopology == null || !Array.isArray(json.weightsManifest)) {
    throw new Error(`${file}: expected a tfjs LayersModel model.json (modelTopology and weightsManifest)`);
  }
  const artifacts = await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs = manifest.flatMap((group) => group.weights);
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      for (const p of group.paths) {
        const bytes = await fs.readFile(path.join(dir, p));
        buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      }
    }
    const data = tf.io.CompositeArrayBuffer.join(buffers);
    const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
    if (data.byteLength !== expected) throw new Error(`${dir}: weight files hold ${data.byteLength} bytes, ${file} lists ${expected}`);
    return [specs, data];
  });
  const model = await tfl.loadLayersModel({ load: async () => artifacts });
  const meta = (json.userDefinedMetadata as { regstudy?: KeptModelMetadata } | undefined)?.regstudy ?? null;
  return { model, metadata: meta, dir };
}
