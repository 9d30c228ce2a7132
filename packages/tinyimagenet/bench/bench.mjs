// Benchmark of @regstudy/tinyimagenet on a full-size synthetic Tiny-ImageNet (not a test).
// Sizes: TIN_BENCH_CLASSES (200) x TIN_BENCH_TRAIN (500) train, TIN_BENCH_VAL (50) val per class.
// The synthetic set is generated once into $TMPDIR/regstudy-tin-bench-<sizes> and reused.
// Prints a summary and writes <repo>/bench/results/tinyimagenet.json.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { batches, computeChannelStats, loadTinyImageNet, writeSyntheticTinyImageNet } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');
const classes = Number(process.env.TIN_BENCH_CLASSES ?? 200);
const trainPer = Number(process.env.TIN_BENCH_TRAIN ?? 500);
const valPer = Number(process.env.TIN_BENCH_VAL ?? 50);
const dataDir = join(tmpdir(), `regstudy-tin-bench-${classes}x${trainPer}x${valPer}`);
const cacheDir = join(dataDir, 'cache');
const mb = (b) => Math.round(b / 2 ** 20);
const secs = (t0) => (performance.now() - t0) / 1000;
const log = (...a) => console.log('[bench tinyimagenet]', ...a);

await tf.setBackend('cpu');
const result = {
  package: '@regstudy/tinyimagenet',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, totalMemMB: mb(totalmem()), node: process.version, loadAverageAtStart: loadavg() },
  sizes: { classes, trainPerClass: trainPer, valPerClass: valPer },
};

// 1. Generate the synthetic set once.
if (!existsSync(join(dataDir, 'tiny-imagenet-200', 'wnids.txt'))) {
  mkdirSync(dataDir, { recursive: true });
  const t0 = performance.now();
  let lastPct = -1;
  const ds = await writeSyntheticTinyImageNet(dataDir, {
    classes,
    trainPerClass: trainPer,
    valPerClass: valPer,
    testCount: 0,
    seed: 0,
    overwrite: true,
    onProgress: ({ done, total }) => {
      const pct = Math.floor((100 * done) / total);
      if (pct % 10 === 0 && pct !== lastPct) log(`synth ${pct}% (${done}/${total} files)`);
      lastPct = pct;
    },
  });
  const s = secs(t0);
  result.synth = { images: ds.counts.train + ds.counts.val, seconds: s, imagesPerSecond: Math.round((ds.counts.train + ds.counts.val) / s) };
  log(`synth: ${result.synth.images} images in ${s.toFixed(1)} s (${result.synth.imagesPerSecond}/s)`);
} else {
  result.synth = { reused: dataDir };
  log(`synth: reusing ${dataDir}`);
}
const root = join(dataDir, 'tiny-imagenet-200');

// 2. Prepare (decode + cache write), train then val; forced so the number is real.
rmSync(cacheDir, { recursive: true, force: true });
for (const split of ['train', 'val']) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const d = await loadTinyImageNet({ source: root, split, cacheDir, force: true });
  const s = secs(t0);
  // CPU time of all threads (main + libuv/libvips): what an idle machine of N cores needs / N.
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const idle2 = (cpuS / 2) * (100000 / d.count);
  result[`prepare_${split}`] = { images: d.count, seconds: s, imagesPerSecond: Math.round(d.count / s), cpuSeconds: cpuS, cpuMsPerImage: (1000 * cpuS) / d.count, estimatedSecondsFor100kOnIdle2Cores: idle2, loadAverageAfter: loadavg() };
  log(`prepare ${split}: ${d.count} images in ${s.toFixed(1)} s (${Math.round(d.count / s)} images/s), CPU ${cpuS.toFixed(1)} s = ${((1000 * cpuS) / d.count).toFixed(2)} ms/image -> ~${idle2.toFixed(0)} s per 100k images on 2 idle cores; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
}
result.peakRssAfterPrepareMB = mb(process.resourceUsage().maxRSS * 1024);
if (typeof globalThis.gc === 'function') globalThis.gc();

// 3. Load the prepared train split from the cache.
let t0 = performance.now();
const train = await loadTinyImageNet({ source: root, split: 'train', cacheDir });
const loadS = secs(t0);
const mem = process.memoryUsage();
result.load_train = { images: train.count, seconds: loadS, bytes: train.images.byteLength + train.labels.byteLength, rssMB: mb(mem.rss), arrayBuffersMB: mb(mem.arrayBuffers) };
log(`load train from cache: ${loadS.toFixed(2)} s, ${mb(train.images.byteLength)} MB of pixels, rss ${mb(mem.rss)} MB`);

// 4. Channel stats and one epoch of batches (augmented, normalised).
t0 = performance.now();
const stats = computeChannelStats(train);
result.channelStats = { seconds: secs(t0), ...stats };
log(`channel stats: ${secs(t0).toFixed(2)} s`, JSON.stringify(stats));
for (const [name, opts] of [
  ['plain', { batchSize: 128, seed: 0, epoch: 0 }],
  ['augmented', { batchSize: 128, seed: 0, epoch: 1, augment: { crop: 4, flip: true }, normalize: stats }],
]) {
  const before = tf.memory().numTensors;
  t0 = performance.now();
  let n = 0;
  for await (const b of batches(train, opts)) {
    n += b.size;
    b.xs.dispose();
    b.ys.dispose();
  }
  const s = secs(t0);
  result[`batches_${name}`] = { images: n, seconds: s, imagesPerSecond: Math.round(n / s), batchSize: 128, leakedTensors: tf.memory().numTensors - before };
  log(`batches ${name}: ${n} images in ${s.toFixed(1)} s (${Math.round(n / s)} images/s), leaked tensors ${tf.memory().numTensors - before}`);
}
result.loadAverageAtEnd = loadavg();
result.peakRssMB = mb(process.resourceUsage().maxRSS * 1024);
result.targets = {
  prepareTrainSecondsMax: 60,
  prepareTrainOk: result.prepare_train.seconds <= 60,
  prepareTrainCpuEstimateOk: result.prepare_train.estimatedSecondsFor100kOnIdle2Cores <= 60,
  loadTrainSecondsMax: 3,
  loadTrainOk: result.load_train.seconds <= 3,
  trainSplitMemoryGBMax: 1.3,
  trainSplitMemoryOk: result.load_train.bytes / 1e9 <= 1.3,
};
log('peak rss', result.peakRssMB, 'MB; targets', JSON.stringify(result.targets));
const out = join(repo, 'bench', 'results', 'tinyimagenet.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
log(`wrote ${out}`);
