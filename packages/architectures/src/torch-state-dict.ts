import type { Tensor } from '@tensorflow/tfjs-core';
import { tensor } from '@tensorflow/tfjs-core';
import type { LayersModel, LayerVariable } from '@tensorflow/tfjs-layers';
import { readSafetensors, safetensorsToFloat32, writeSafetensors, type Float32TensorRecord } from './safetensors';
import { convKernelMap, denseKernelMap, type IndexVisitor } from './torch-layout';

type Layer = LayersModel['layers'][number];

/** How one tfjs weight maps to one PyTorch state-dict entry. */
export interface TorchParameter {
  /** PyTorch key, e.g. `layer1.0.conv1.weight`. */
  key: string;
  /** Shape in PyTorch's layout. */
  torchShape: number[];
  /** Name of the tfjs layer holding the weight. */
  layerName: string;
  /** Layout conversion: conv kernel (OIHW <-> HWIO), dense kernel (transpose, maybe NCHW flatten), or none. */
  kind: 'conv-kernel' | 'dense-kernel' | 'vector';
  /** For the first dense layer after a flatten: the flattened `[H, W, C]` map (rows are permuted). */
  flattenFrom?: [number, number, number];
  variable: LayerVariable;
}

const TORCH_SUFFIX: Record<string, Record<string, string>> = {
  Conv2D: { kernel: 'weight', bias: 'bias' },
  Dense: { kernel: 'weight', bias: 'bias' },
  BatchNormalization: { gamma: 'weight', beta: 'bias', moving_mean: 'running_mean', moving_variance: 'running_var' },
};

/** Keys PyTorch stores that carry no weights here (batch-norm step counters). */
const IGNORED_KEY = /(^|\.)num_batches_tracked$/;

/** The `[H, W, C]` map a Dense layer reads through Flatten (skipping Dropout), if any and if H*W > 1. */
function flattenSource(layer: Layer): [number, number, number] | undefined {
  let prev: Layer | undefined = layer.inboundNodes[0]?.inboundLayers[0];
  while (prev && prev.getClassName() === 'Dropout') prev = prev.inboundNodes[0]?.inboundLayers[0];
  if (!prev || prev.getClassName() !== 'Flatten') return undefined;
  const shape = prev.inboundNodes[0]?.inputTensors[0]?.shape ?? [];
  if (shape.length !== 4) return undefined;
  const [, h, w, c] = shape;
  if (typeof h !== 'number' || typeof w !== 'number' || typeof c !== 'number' || h * w <= 1) return undefined;
  return [h, w, c];
}

/**
 * Lists the PyTorch state-dict entries a model corresponds to, in layer order. The PyTorch module path
 * is the tfjs layer name with '_' replaced by '.' (`layer1_0_downsample_1` -> `layer1.0.downsample.1`).
 *
 * @throws Error naming the layer when it holds weights of an unsupported class.
 */
export function torchParameters(model: LayersModel): TorchParameter[] {
  const out: TorchParameter[] = [];
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const className = layer.getClassName();
    const suffixes = TORCH_SUFFIX[className];
    if (!suffixes) throw new Error(`torch state dict: layer "${layer.name}" (${className}) has weights but no PyTorch mapping`);
    const prefix = layer.name.replace(/_/g, '.');
    for (const variable of layer.weights) {
      const local = variable.originalName.slice(variable.originalName.lastIndexOf('/') + 1);
      const suffix = suffixes[local];
      if (!suffix) throw new Error(`torch state dict: weight "${variable.originalName}" of layer "${layer.name}" has no PyTorch mapping`);
      const shape = variable.shape as number[];
      let torchShape = shape;
      let kind: TorchParameter['kind'] = 'vector';
      let flattenFrom: [number, number, number] | undefined;
      if (local === 'kernel' && className === 'Conv2D') {
        const [kh = 0, kw = 0, i = 0, o = 0] = shape;
        torchShape = [o, i, kh, kw];
        kind = 'conv-kernel';
      } else if (local === 'kernel') {
        const [n = 0, o = 0] = shape;
        torchShape = [o, n];
        kind = 'dense-kernel';
        flattenFrom = flattenSource(layer);
      }
      out.push({ key: `${prefix}.${suffix}`, torchShape, layerName: layer.name, kind, variable, ...(flattenFrom ? { flattenFrom } : {}) });
    }
  }
  return out;
}

function indexMap(p: TorchParameter, visit: IndexVisitor): void {
  if (p.kind === 'conv-kernel') convKernelMap(p.torchShape, visit);
  else if (p.kind === 'dense-kernel') denseKernelMap(p.torchShape, visit, p.flattenFrom);
  else for (let i = 0; i < p.torchShape.reduce((a, b) => a * b, 1); i++) visit(i, i);
}

/** Options of {@link loadTorchStateDict}. */
export interface LoadTorchOptions {
  /**
   * Keys matching this pattern are neither required nor loaded (the model keeps its own values),
   * e.g. `/^fc\./` to load ImageNet-pretrained torchvision weights into a 200-class ResNet.
   */
  exclude?: RegExp;
  /** When false, keys in the file that the model lacks are ignored instead of failing [true]. */
  strict?: boolean;
}

/**
 * Loads a PyTorch `state_dict` saved as safetensors (float32) into a model built by this package:
 * conv kernels OIHW -> HWIO, dense kernels `[out, in]` -> `[in, out]` with the first dense layer after a
 * flatten re-ordered from NCHW to NHWC flatten order, batch-norm `weight/bias/running_mean/running_var`
 * -> `gamma/beta/moving_mean/moving_variance`. `*.num_batches_tracked` keys are ignored.
 * Key names: torchvision's for ResNets (`conv1.weight`, `bn1.running_mean`, `layer2.0.downsample.0.weight`,
 * `fc.bias`, ...), the paper code's for the small nets (`conv1`..`conv3`, `fc1`, `fc2`).
 *
 * Validates everything before writing any weight.
 *
 * @throws Error listing every missing, unexpected, mis-shaped and non-F32 key.
 */
export function loadTorchStateDict(model: LayersModel, bytes: Uint8Array, opts: LoadTorchOptions = {}): void {
  const file = readSafetensors(bytes);
  const strict = opts.strict ?? true;
  const excluded = (key: string): boolean => (opts.exclude ? new RegExp(opts.exclude.source, opts.exclude.flags.replace('g', '')).test(key) : false);
  const params = torchParameters(model).filter((p) => !excluded(p.key));
  const expected = new Set(params.map((p) => p.key));
  const missing: string[] = [];
  const misshaped: string[] = [];
  const badDtype: string[] = [];
  for (const p of params) {
    const entry = file.tensors.get(p.key);
    if (!entry) missing.push(p.key);
    else if (entry.shape.join(',') !== p.torchShape.join(',')) misshaped.push(`${p.key} (expected [${p.torchShape.join(', ')}], got [${entry.shape.join(', ')}])`);
    else if (entry.dtype !== 'F32') badDtype.push(`${p.key} (${entry.dtype})`);
  }
  const unexpected = strict ? [...file.tensors.keys()].filter((k) => !expected.has(k) && !IGNORED_KEY.test(k) && !excluded(k)) : [];
  if (missing.length + misshaped.length + badDtype.length + unexpected.length > 0) {
    const parts: string[] = [];
    const list = (label: string, items: string[]): void => {
      if (items.length > 0) parts.push(`${label} (${items.length}): ${items.join(', ')}`);
    };
    list('missing keys', missing);
    list('unexpected keys', unexpected);
    list('mis-shaped keys', misshaped);
    list('keys not float32 (only F32 is supported)', badDtype);
    throw new Error(`loadTorchStateDict: the state dict does not match model "${model.name}": ${parts.join('; ')}`);
  }
  const converted = params.map((p) => {
    const src = safetensorsToFloat32(file.tensors.get(p.key)!);
    const dst = new Float32Array(src.length);
    indexMap(p, (t, j) => {
      dst[t] = src[j] ?? 0;
    });
    return { p, dst };
  });
  for (const { p, dst } of converted) {
    const value: Tensor = tensor(dst, p.variable.shape as number[], 'float32');
    try {
      p.variable.write(value);
    } finally {
      value.dispose();
    }
  }
}

/**
 * Exports a model's weights as a PyTorch `state_dict` in safetensors format (float32, PyTorch layouts
 * and key names; the inverse of {@link loadTorchStateDict}). Batch-norm `num_batches_tracked` is not
 * written; PyTorch's `load_state_dict` fills it in. Metadata: `format: pt`, `regstudy.model: <name>`.
 */
export function exportTorchStateDict(model: LayersModel): Uint8Array {
  const records: [string, Float32TensorRecord][] = torchParameters(model).map((p) => {
    const src = p.variable.read().dataSync() as Float32Array;
    const dst = new Float32Array(src.length);
    indexMap(p, (t, j) => {
      dst[j] = src[t] ?? 0;
    });
    return [p.key, { shape: p.torchShape, data: dst }];
  });
  return writeSafetensors(records, { format: 'pt', 'regstudy.model': model.name });
}
