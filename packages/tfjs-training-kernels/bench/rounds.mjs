// Statistics of `pnpm bench`'s interleaved rounds (see bench.mjs): each round times `steps` steps
// of a model on every side (PyTorch and each wasm configuration) back to back, so that the slow and
// fast phases of a shared machine fall on all sides alike.

/** Median of a non-empty list (the mean of the two middle values for an even count). */
export function median(xs) {
  if (xs.length === 0) throw new Error('median: empty list');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * One side's figures for one model from its rounds, each `{ wall: [s...], cpu: [s...] }` (seconds
 * per step of `batch` images):
 *
 *   imagesPerSec    = batch / median(every round's wall times, pooled)
 *   imagesPerCpuSec = batch / median(every round's CPU times, pooled)
 *   perRound[r]     = batch / median(round r's wall times)
 */
export function summarizeRounds(rounds, batch) {
  if (rounds.length === 0) throw new Error('summarizeRounds: no rounds');
  return {
    imagesPerSec: batch / median(rounds.flatMap((r) => r.wall)),
    imagesPerCpuSec: batch / median(rounds.flatMap((r) => r.cpu)),
    perRound: rounds.map((r) => batch / median(r.wall)),
  };
}

/**
 * Per-round ratios `a.perRound[r] / b.perRound[r]` of two sides measured in the same rounds, and
 * their lowest and highest: how far one round's side-by-side comparison can land from the pooled one.
 */
export function roundRatios(a, b) {
  if (a.perRound.length !== b.perRound.length) throw new Error(`roundRatios: ${a.perRound.length} rounds against ${b.perRound.length}`);
  const ratios = a.perRound.map((x, r) => x / b.perRound[r]);
  return { ratios, min: Math.min(...ratios), max: Math.max(...ratios) };
}

/** The sides in round `r`'s order: as given in even rounds, reversed in odd ones (no side always goes first). */
export function roundOrder(sides, r) {
  return r % 2 === 0 ? sides : [...sides].reverse();
}
