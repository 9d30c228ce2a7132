// Public API of @regstudy/tinyimagenet (Node entry): re-exports only.
export { writeSyntheticTinyImageNet } from './synthetic';
export type { SyntheticOptions, SyntheticDataset } from './synthetic';
export { TinyImageNetError } from './errors';
export { IMAGE_SIZE, IMAGE_BYTES } from './layout';
export type { ClassInfo } from './layout';
export { loadTinyImageNet, cacheManifestPath } from './load';
export type { LoadOptions } from './load';
export type { TinyImageNetSplit, SplitName, Progress } from './split';
export { CACHE_FORMAT, CACHE_VERSION, cacheName, parseManifest } from './cache-format';
export type { CacheManifest } from './cache-format';
export { batches, computeChannelStats, toTfDataset, planBatches } from './batches';
export type { Batch, BatchOptions, BatchSource, AugmentOptions, ChannelStats, TfDataGenerator } from './batches';
export { mulberry32, mixSeed, epochPermutation, fmix32 } from './prng';
export type { Rng } from './prng';
export { download, OFFICIAL_URL } from './download';
export type { DownloadOptions, DownloadResult } from './download';
