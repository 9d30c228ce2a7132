// The run settings of the page: types, defaults and validation of the form's raw strings.

/** Model names the page offers (the factories of @regstudy/architectures). */
export const modelChoices = ['initial', 'new', 'resnet18'] as const;
export type ModelChoice = (typeof modelChoices)[number];

/** Backends the page can use; 'auto' tries them in this order: webgpu, webgl, wasm, cpu. */
export const backendChoices = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof backendChoices)[number];

/** Where the images come from. */
export type DataSettings =
  | {
      kind: 'synthetic';
      /** number of classes, >= 2 */
      classes: number;
      /** training images per class */
      trainPerClass: number;
      /** validation images per class */
      valPerClass: number;
      /** image side in pixels (the models expect 64; smaller is faster for tests) */
      imageSize: number;
    }
  | {
      kind: 'cache';
      /** base URL of a prepared Tiny-ImageNet cache folder (see @regstudy/tinyimagenet's `prepare`) */
      url: string;
      /** cache name of the training split, e.g. 'train' or 'train-10c-100pc' */
      trainName: string;
      /** cache name of the validation split, e.g. 'val' or 'val-10c-all' */
      valName: string;
    };

/** How L1 acts: a loss term (the paper; subgradient steps, weights hover near 0) or a proximal step after each update (exact zeros). */
export const l1Modes = ['penalty', 'proximal'] as const;
export type L1Mode = (typeof l1Modes)[number];

/** How L2 acts: the paper's code (PyTorch SGD weight_decay) or the paper's text (a loss term). */
export const l2Modes = ['weight-decay', 'penalty'] as const;
export type L2Mode = (typeof l2Modes)[number];

export interface Settings {
  model: ModelChoice;
  /** L1 lambda: loss += l1 * sum(|w|) ('penalty') or w <- sign(w) * max(|w| - lr * l1, 0) after each step ('proximal') */
  l1: number;
  l1Mode: L1Mode;
  /** L2 lambda: coupled weight decay grad += l2 * w ('weight-decay', the paper's code) or loss += l2 * sum(w^2) ('penalty') */
  l2: number;
  l2Mode: L2Mode;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  backend: BackendChoice;
  data: DataSettings;
}

export const defaultSettings: Settings = {
  model: 'initial',
  l1: 0,
  l1Mode: 'penalty',
  l2: 1e-4,
  l2Mode: 'weight-decay',
  epochs: 5,
  batchSize: 32,
  learningRate: 0.01,
  seed: 0,
  backend: 'auto',
  data: { kind: 'synthetic', classes: 5, trainPerClass: 40, valPerClass: 10, imageSize: 64 },
};

/** An invalid form field; `field` is the input's name. */
export class SettingsError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'SettingsError';
  }
}

function num(raw: Record<string, string | undefined>, field: string, opts: { min: number; max?: number; int?: boolean }): number {
  const text = (raw[field] ?? '').trim();
  const v = Number(text);
  if (text === '' || !Number.isFinite(v)) throw new SettingsError(field, `expected a number, got "${text}"`);
  if (opts.int && !Number.isInteger(v)) throw new SettingsError(field, `expected an integer, got ${v}`);
  if (v < opts.min) throw new SettingsError(field, `must be >= ${opts.min}, got ${v}`);
  if (opts.max !== undefined && v > opts.max) throw new SettingsError(field, `must be <= ${opts.max}, got ${v}`);
  return v;
}

function pick<T extends string>(raw: Record<string, string | undefined>, field: string, choices: readonly T[]): T {
  const v = raw[field] ?? '';
  if (!(choices as readonly string[]).includes(v)) {
    throw new SettingsError(field, `expected one of ${choices.join(', ')}, got "${v}"`);
  }
  return v as T;
}

/**
 * Validates the form's raw values (input name -> string) into {@link Settings}.
 * Throws a {@link SettingsError} naming the first invalid field.
 */
export function parseSettings(raw: Record<string, string | undefined>): Settings {
  const dataKind = pick(raw, 'data', ['synthetic', 'cache'] as const);
  let data: DataSettings;
  if (dataKind === 'synthetic') {
    data = {
      kind: 'synthetic',
      classes: num(raw, 'classes', { min: 2, max: 200, int: true }),
      trainPerClass: num(raw, 'trainPerClass', { min: 1, max: 500, int: true }),
      valPerClass: num(raw, 'valPerClass', { min: 1, max: 50, int: true }),
      imageSize: num(raw, 'imageSize', { min: 8, max: 64, int: true }),
    };
  } else {
    const text = (field: string, what: string): string => {
      const v = (raw[field] ?? '').trim();
      if (v === '') throw new SettingsError(field, `${what} is required when data is "cache"`);
      return v;
    };
    data = {
      kind: 'cache',
      url: text('cacheUrl', 'a prepared cache URL'),
      trainName: text('trainName', 'the training cache name'),
      valName: text('valName', 'the validation cache name'),
    };
  }
  return {
    model: pick(raw, 'model', modelChoices),
    l1: num(raw, 'l1', { min: 0 }),
    l1Mode: pick(raw, 'l1Mode', l1Modes),
    l2: num(raw, 'l2', { min: 0 }),
    l2Mode: pick(raw, 'l2Mode', l2Modes),
    epochs: num(raw, 'epochs', { min: 1, max: 1000, int: true }),
    batchSize: num(raw, 'batchSize', { min: 1, max: 1024, int: true }),
    learningRate: num(raw, 'learningRate', { min: 1e-9, max: 10 }),
    seed: num(raw, 'seed', { min: 0, int: true }),
    backend: pick(raw, 'backend', backendChoices),
    data,
  };
}

/** The form's raw values for some settings (inverse of {@link parseSettings}). */
export function settingsToRaw(s: Settings): Record<string, string> {
  const raw: Record<string, string> = {
    model: s.model,
    l1: String(s.l1),
    l1Mode: s.l1Mode,
    l2: String(s.l2),
    l2Mode: s.l2Mode,
    epochs: String(s.epochs),
    batchSize: String(s.batchSize),
    learningRate: String(s.learningRate),
    seed: String(s.seed),
    backend: s.backend,
    data: s.data.kind,
  };
  if (s.data.kind === 'synthetic') {
    raw.classes = String(s.data.classes);
    raw.trainPerClass = String(s.data.trainPerClass);
    raw.valPerClass = String(s.data.valPerClass);
    raw.imageSize = String(s.data.imageSize);
  } else {
    raw.cacheUrl = s.data.url;
    raw.trainName = s.data.trainName;
    raw.valName = s.data.valName;
  }
  return raw;
}
