// `pnpm bench --only browser`: training images/s of the study's three models in headless Chromium,
// through the whole page (the built browser-trainer: its worker, `train()`, batches of synthetic
// 64x64 images, metrics), on the wasm backend with the page's default threads, next to PyTorch on
// the same machine. Prints a table and writes <repo>/bench/results/browser.json and the
// browser block of <repo>/BENCHMARKS.md.
//
// Usage: node bench/train-throughput.mjs [--models initial,new,resnet18] [--epochs 4] [--no-pytorch] [--no-write]
//
// Per model: PyTorch times its training step (packages/tfjs-training-kernels/bench/pytorch_bench.py as a step
// server: 3 warm-up steps, then `steps`), the page trains `--epochs` epochs of 64-image batches
// (figure: the median of the epochs' own `imagesPerSecond` after the first, which warms up), then
// PyTorch times `steps` more; its figure is batch / the median of both runs' steps. The page's
// figure includes its training loop (batching, loss and accuracy read-back), PyTorch's is the bare
// step, so the ratio leans towards PyTorch. Needs Chromium (`/usr/bin/chromium` or CHROMIUM_PATH).
// The callbacks of page.evaluate and waitForFunction run in the page:
/* global document, navigator, self */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os, { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import { chromium } from 'playwright-core';
// The PyTorch step server, its client and the median are the trainer bench's (scripts of this
// repository, not package exports): the same models, step and estimator as `pnpm bench --only trainer`.
import { median } from '../../../packages/tfjs-training-kernels/bench/rounds.mjs';
import { StepServer } from '../../../packages/tfjs-training-kernels/bench/step-server.mjs';

const exampleDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(exampleDir, '../..');
const pytorchScript = join(repoRoot, 'packages/tfjs-training-kernels/bench/pytorch_bench.py');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const batch = 64;

function parseArgs(argv) {
  const opts = { models: ['initial', 'new', 'resnet18'], epochs: 4, pytorch: true, write: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--models') opts.models = (argv[++i] ?? '').split(',');
    else if (a === '--epochs') opts.epochs = Number(argv[++i]);
    else if (a === '--no-pytorch') opts.pytorch = false;
    else if (a === '--no-write') opts.write = false;
    else throw new Error(`browser bench: unknown option '${a}'`);
  }
  for (const m of opts.models) if (!['initial', 'new', 'resnet18'].includes(m)) throw new Error(`browser bench: unknown model '${m}' in --models`);
  if (!Number.isInteger(opts.epochs) || opts.epochs < 2) throw new Error('browser bench: --epochs must be an integer >= 2 (the first one warms up)');
  return opts;
}

function findPython() {
  for (const python of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(python, ['-c', 'import torch']).status === 0) return python;
  }
  return null;
}

/** Trains `model` on the page for `epochs` epochs; returns the per-epoch images/s and the page's backend line. */
async function trainOnPage(ctx, url, model, epochs) {
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  // Nothing leaves the machine: requests to other origins are refused.
  await page.route('**/*', (route) => (route.request().url().startsWith(url) ? route.continue() : route.abort()));
  // 10 classes: 10 full batches an epoch (ResNet-18, about 0.5 s a batch here: 5), 2 validation images a class
  const perClass = model === 'resnet18' ? 32 : 64;
  const query = `model=${model}&l1=0&l2=0&epochs=${epochs}&batchSize=${batch}&learningRate=0.01&backend=wasm&data=synthetic&classes=10&trainPerClass=${perClass}&valPerClass=2&imageSize=64`;
  try {
    await page.goto(`${url}?${query}`);
    await page.click('#start');
    await page.waitForFunction(() => !['idle', 'running', 'stopping'].includes(document.body.dataset.state ?? ''), null, { timeout: 600_000 });
    const state = await page.evaluate(() => document.body.dataset.state);
    if (state !== 'completed') throw new Error(`the page ended '${state}': ${await page.textContent('#form-error')} ${errors.join('; ')}`);
    const backend = (await page.textContent('#backend')) ?? '';
    const userAgent = await page.evaluate(() => navigator.userAgent);
    const isolated = await page.evaluate(() => self.crossOriginIsolated);
    // the epochs table: column 10 is images/s of the epoch's training part
    const perEpoch = await page.$$eval('#epochs-table tbody tr', (rows) => rows.map((tr) => Number(tr.children[10]?.textContent)));
    if (perEpoch.length !== epochs || perEpoch.some((v) => !(v > 0))) throw new Error(`unexpected epochs table: ${perEpoch.join(', ')}`);
    return { perEpoch, backend, userAgent, isolated };
  } finally {
    await page.close();
  }
}

function markdown(result) {
  const lines = [
    `Measured ${result.date} on ${result.machine.cpu} (${result.machine.cores} cores), ${result.browser}, page cross-origin isolated: ${result.isolated}; ` +
      `PyTorch ${result.pytorch?.torch ?? 'n/a'} (${result.pytorch?.threads ?? '-'} threads, BLAS ${result.pytorch?.blas ?? '-'}), load average at start ${result.machine.loadAverage.join(' / ')}.`,
    '',
    `Page: browser-trainer (production build), backend wasm, synthetic 64x64 images, batch ${batch}, ${result.epochs} epochs; images/s = median of the epochs' training rates after the first.`,
    `PyTorch: the bare training step, ${result.pytorchSteps} steps before and ${result.pytorchSteps} after the page's run (ResNet-18: ${result.pytorchSteps >> 1}), median.`,
    '',
    `The page's backend line: ${result.backendLine}`,
    '',
    '| model | Chromium train img/s (per epoch) | PyTorch train img/s | ratio |',
    '|---|---|---|---|',
  ];
  for (const r of result.records) {
    lines.push(`| ${r.model} | ${r.trainImagesPerSec.toFixed(1)} (${r.perEpoch.map((v) => v.toFixed(0)).join(', ')}) | ${r.pytorchTrainImagesPerSec?.toFixed(1) ?? '-'} | ${r.ratio?.toFixed(2) ?? '-'} |`);
  }
  for (const s of result.skipped) lines.push('', `- skipped: ${s}`);
  return lines.join('\n');
}

function writeBenchmarksMd(result) {
  const path = join(repoRoot, 'BENCHMARKS.md');
  const [start, end] = ['<!-- bench:browser:start -->', '<!-- bench:browser:end -->'];
  let text = readFileSync(path, 'utf8');
  if (!text.includes(start) || !text.includes(end)) text += `\n## Training in headless Chromium (\`pnpm bench --only browser\`)\n\n${start}\n${end}\n`;
  text = text.slice(0, text.indexOf(start)) + `${start}\n${markdown(result)}\n${end}` + text.slice(text.indexOf(end) + end.length);
  writeFileSync(path, text);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(chromiumPath)) {
    console.log(`browser bench: SKIPPED, no Chromium at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
    return;
  }
  const result = {
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100) },
    epochs: opts.epochs,
    pytorchSteps: 10,
    records: [],
    skipped: [],
  };
  let py = null;
  if (opts.pytorch) {
    const python = findPython();
    if (python === null) result.skipped.push("pytorch: neither /usr/bin/python3 nor python3 can 'import torch'");
    else {
      py = new StepServer('PyTorch', python, [pytorchScript, '--serve', '--batch', String(batch)]);
      const meta = await py.ready;
      result.pytorch = { torch: meta.torch, threads: meta.threads, blas: meta.blas };
    }
  }
  console.log('building the page ...');
  await build({ root: exampleDir, logLevel: 'warn' });
  const server = await preview({ root: exampleDir, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } });
  const url = `http://127.0.0.1:${server.httpServer.address().port}/`;
  const profile = mkdtempSync(join(tmpdir(), 'browser-bench-profile-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    for (const model of opts.models) {
      const steps = model === 'resnet18' ? result.pytorchSteps >> 1 : result.pytorchSteps;
      const before = py ? await py.request({ model, what: 'train', steps, warmup: 3 }) : null;
      const page = await trainOnPage(ctx, url, model, opts.epochs);
      const after = py ? await py.request({ model, what: 'train', steps, warmup: 0 }) : null;
      result.browser = page.userAgent.match(/(HeadlessChrome|Chrome)\/[\d.]+/)?.[0] ?? page.userAgent;
      result.isolated = page.isolated;
      result.backendLine = page.backend;
      const trainImagesPerSec = median(page.perEpoch.slice(1));
      const pytorchTrainImagesPerSec = before && after ? batch / median([...before.wall, ...after.wall]) : null;
      const record = { model, backend: 'wasm (Chromium)', perEpoch: page.perEpoch, trainImagesPerSec, pytorchTrainImagesPerSec, ratio: pytorchTrainImagesPerSec ? trainImagesPerSec / pytorchTrainImagesPerSec : null };
      result.records.push(record);
      console.log(`${model}: Chromium ${trainImagesPerSec.toFixed(1)} img/s (epochs ${page.perEpoch.map((v) => v.toFixed(0)).join(', ')}), PyTorch ${pytorchTrainImagesPerSec?.toFixed(1) ?? '-'} img/s`);
    }
  } finally {
    await ctx.close();
    await server.close();
    await py?.close();
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
  console.log(`\n${markdown(result)}`);
  if (opts.write) {
    mkdirSync(join(repoRoot, 'bench', 'results'), { recursive: true });
    writeFileSync(join(repoRoot, 'bench', 'results', 'browser.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeBenchmarksMd(result);
    console.log('\nwrote bench/results/browser.json and BENCHMARKS.md');
  }
}

await main();
