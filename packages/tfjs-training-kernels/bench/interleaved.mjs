// Side-by-side timing shared by the ab-*.mjs scripts: the variants run interleaved in one process,
// so that a busy machine slows all of them alike.
import { performance } from 'node:perf_hooks';

export const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/**
 * `rounds` rounds; in each, for every variant in turn: `variants[name]()` switches it on, then
 * `fn(name)` is timed. With `warmup`, one untimed call per variant first. Returns ms per variant.
 */
export function interleaved(variants, fn, rounds, { warmup = true } = {}) {
  const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  if (warmup) {
    for (const [k, apply] of Object.entries(variants)) {
      apply();
      fn(k);
    }
  }
  for (let i = 0; i < rounds; i++) {
    for (const [k, apply] of Object.entries(variants)) {
      apply();
      const t0 = performance.now();
      fn(k);
      times[k].push(performance.now() - t0);
    }
  }
  return times;
}

/** Median ms per variant of `run()` (a kernel call returning a tensor, read back and disposed). */
export function kernelMedians(variants, run, calls) {
  const times = interleaved(
    variants,
    () => {
      const g = run();
      g.dataSync();
      g.dispose();
    },
    calls,
    { warmup: false },
  );
  return Object.fromEntries(Object.entries(times).map(([k, t]) => [k, median(t)]));
}

/** Prints training images/s per variant: median, best, and every step's ms. */
export function printTrainRates(label, batch, times) {
  for (const [k, t] of Object.entries(times)) {
    const rate = (ms) => (batch / (ms / 1000)).toFixed(1);
    console.log(`${label} ${k}: ${rate(median(t))} img/s median, ${rate(Math.min(...t))} best (of ${t.length}, ms ${t.map((v) => v.toFixed(0)).join(' ')})`);
  }
}
