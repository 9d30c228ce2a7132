// Public API of @regstudy/tinyimagenet for browsers and other non-Node runtimes (exports
// condition `default`): no fs, zip or sharp. Re-exports only.
export { OptionsError } from '@regstudy/options';
export type { OptionIssue } from '@regstudy/options';
export { loadPreparedCache } from './browser-cache';
export type { LoadPreparedCacheOptions } from './browser-cache';
export { batches, computeChannelStats, toTfDataset, planBatches } from './batches';
export type { Batch, BatchOptions, BatchSource, AugmentOptions, ChannelStats, TfDataGenerator } from './batches';
export { mulberry32, mixSeed, epochPermutation, fmix32 } from './prng';
export type { Rng } from './prng';
export { TinyImageNetError } from './errors';
export { DiskFullError } from '@regstudy/options';
export type { StatFs } from '@regstudy/options';
export { IMAGE_SIZE, IMAGE_BYTES } from './layout';
export type { ClassInfo } from './layout';
export type { TinyImageNetSplit, SplitName, Progress, SkippedImage, LoadWarning } from './split';
export { CACHE_FORMAT, CACHE_VERSION, cacheName, parseManifest } from './cache-format';
export type { CacheManifest } from './cache-format';
