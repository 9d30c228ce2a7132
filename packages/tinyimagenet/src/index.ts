// Public API of @regstudy/tinyimagenet (Node entry): re-exports only.
export { writeSyntheticTinyImageNet } from './synthetic';
export type { SyntheticOptions, SyntheticDataset } from './synthetic';
export { TinyImageNetError } from './errors';
export { IMAGE_SIZE, IMAGE_BYTES } from './layout';
export type { ClassInfo } from './layout';
