// `pnpm bench`: training and inference images/s of the study's models per tfjs backend, next to
// PyTorch on the same machine (bench/pytorch_bench.py), plus fp32 GEMM rates. Writes
// <repo>/bench/results/latest.json and the results table of <repo>/BENCHMARKS.md.
//
// Usage: node bench/bench.mjs [--models initial,new,resnet18] [--backends tensorflow,webgpu,wasm,cpu]
//                              [--steps 5] [--rounds 4] [--warmup 3] [--wasm-threads 1,2] [--no-relaxed]
//                              [--no-pytorch] [--no-write] [--json path]
// PyTorch (pytorch_bench.py --serve) and each wasm thread count (this script with --child, one
// process each: the wasm module initialises once) run as step servers side by side, and are timed
// in interleaved rounds: per model, `--warmup` untimed steps on each side, then `--rounds` rounds in
// which every side in turn runs `--steps` training and inference steps (the order reversed every
// other round). Figures are medians over all rounds' steps (rounds.mjs); "ratio range" is the lowest
// and highest per-round ratio. A shared machine's slow phases last seconds, so they fall on every
// side alike instead of on whichever ran in them. Where this Node does not enable relaxed SIMD by
// default (Node < 22), one more server runs the most threads with `--experimental-wasm-relaxed-simd`:
// what Node >= 22 and Chromium run (rows marked `simd: relaxed`; our GEMM then uses fused
// multiply-add). `--no-relaxed` skips it.
// webgpu (Dawn from the optional `webgpu` package) is measured only on a hardware adapter, and is
// compared with PyTorch on CUDA (fp32, TF32 off) when torch.cuda is available.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { useBackend } from '@regstudy/tfjs-training-kernels/node';
import { relaxedSimdSupported } from '@regstudy/tfjs-training-kernels/internal';
import { localModels } from './models.mjs';
import { median, roundOrder, roundRatios, summarizeRounds } from './rounds.mjs';
import { StepServer } from './step-server.mjs';
import { trainStep } from './train-step.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');

/** Forward MFLOP per 64x64 image (multiply-add = 2 FLOP), from shared/paper/STUDY-NOTES.md. */
const forwardMflop = { initial: 27.2, new: 12.9, resnet18: 296.3 };
const batchSize = 64;

function parseArgs(argv) {
  const opts = {
    models: ['initial', 'new', 'resnet18'],
    backends: ['tensorflow', 'webgpu', 'wasm', 'cpu'],
    steps: 5,
    rounds: 4,
    warmup: 3,
    pytorch: true,
    write: true,
    wasmThreads: [...new Set([1, os.cpus().length])],
    relaxed: true,
    json: null,
    child: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`bench: option ${a} needs a value`);
      return v;
    };
    if (a === '--models') opts.models = next().split(',');
    else if (a === '--backends') opts.backends = next().split(',');
    else if (a === '--steps') opts.steps = Number(next());
    else if (a === '--rounds') opts.rounds = Number(next());
    else if (a === '--warmup') opts.warmup = Number(next());
    else if (a === '--no-pytorch') opts.pytorch = false;
    else if (a === '--no-relaxed') opts.relaxed = false;
    else if (a === '--no-write') opts.write = false;
    else if (a === '--wasm-threads') opts.wasmThreads = next().split(',').map(Number);
    else if (a === '--child') opts.child = true;
    else if (a === '--json') opts.json = next();
    else throw new Error(`bench: unknown option '${a}'`);
  }
  for (const m of opts.models) if (!(m in forwardMflop)) throw new Error(`bench: unknown model '${m}' in --models`);
  if (!Number.isInteger(opts.steps) || opts.steps < 1) throw new Error('bench: --steps must be a positive integer');
  if (!Number.isInteger(opts.rounds) || opts.rounds < 1) throw new Error('bench: --rounds must be a positive integer');
  if (!Number.isInteger(opts.warmup) || opts.warmup < 0) throw new Error('bench: --warmup must be a non-negative integer');
  return opts;
}

async function modelFactory() {
  try {
    const arch = await import('@regstudy/architectures');
    if (typeof arch.createModel === 'function') {
      return { source: '@regstudy/architectures', create: (name) => arch.createModel(name) };
    }
  } catch {
    // not built yet: use the local definitions
  }
  return { source: 'packages/tfjs-training-kernels/bench/models.mjs', create: (name) => localModels[name]() };
}

/**
 * Wall-clock seconds, and process CPU seconds (all threads, user + system), of each of `steps`
 * calls of `fn` after `warmup` untimed calls. CPU time stays meaningful on a shared, busy machine.
 */
async function stepTimes(fn, steps, warmup) {
  for (let i = 0; i < warmup; i++) await fn();
  const wall = [];
  const cpu = [];
  for (let i = 0; i < steps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    wall.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  return { wall, cpu };
}

/** Median wall and CPU seconds, and the fastest wall time, of `steps` calls after `warmup`. */
async function timeSteps(fn, steps, warmup = 1) {
  const t = await stepTimes(fn, steps, warmup);
  return { wall: median(t.wall), cpu: median(t.cpu), fastest: Math.min(...t.wall) };
}

/** `{ train, infer, dispose }`: one training step and one inference pass of model `name` on a fixed batch. */
function stepRunner(create, name, batch) {
  const model = create(name);
  const { xs, trainAsync, dispose } = trainStep(model, batch);
  // Read results outside tidy: tidy() walks a returned typed array element by element. Reads are
  // asynchronous: WebGPU's synchronous read is slow in browsers and unsupported in Node.
  const infer = async () => {
    const y = tf.tidy(() => model.predict(xs));
    await y.data();
    y.dispose();
  };
  return {
    name,
    train: trainAsync,
    infer,
    dispose: () => {
      dispose();
      model.dispose();
    },
  };
}

async function measureModel(create, name, batch, steps) {
  const run = stepRunner(create, name, batch);
  const t = await timeSteps(run.train, steps);
  const i = await timeSteps(run.infer, steps);
  run.dispose();
  return {
    trainImagesPerSec: batch / t.wall,
    inferImagesPerSec: batch / i.wall,
    trainImagesPerCpuSec: batch / t.cpu,
    inferImagesPerCpuSec: batch / i.cpu,
  };
}

/**
 * Child (`--child`): a wasm step server for the interleaved rounds. Prints its GEMM rate as the
 * first stdout line, then answers each request line `{ model, what: 'train' | 'infer', steps,
 * warmup }` with `{ wall, cpu }` (seconds per step). Other output goes to stderr.
 */
async function serveWasm(opts, create) {
  const reply = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
  console.log = console.error;
  const sel = await useBackend('wasm', { threads: opts.wasmThreads[0] });
  const simd = relaxedSimdSupported() ? 'relaxed' : 'simd128';
  reply({ gemm: { ...(await tfjsGemmGflops()), threads: sel.threads, simd } });
  let run = null;
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const req = JSON.parse(line);
    if (run?.name !== req.model) {
      run?.dispose();
      run = stepRunner(create, req.model, batchSize);
    }
    reply(await stepTimes(req.what === 'train' ? run.train : run.infer, req.steps, req.warmup ?? 0));
  }
  run?.dispose();
}

/** Starts the step servers: PyTorch's (when torch imports) and one per wasm configuration, one after another (each measures its GEMM rate at start). */
async function startServers(opts, result) {
  const servers = [];
  const start = async (key, label, command, args) => {
    const server = new StepServer(label, command, args);
    try {
      servers.push({ key, label, server, meta: await server.ready });
    } catch (e) {
      result.skipped.push(`${label}: ${e.message}`);
    }
  };
  if (opts.pytorch) {
    const python = findPython();
    if (python === null) result.skipped.push("pytorch: neither /usr/bin/python3 nor python3 can 'import torch'");
    else await start('pytorch', 'PyTorch', python, [join(here, 'pytorch_bench.py'), '--serve', '--batch', String(batchSize)]);
  }
  if (opts.backends.includes('wasm')) {
    const configs = opts.wasmThreads.map((threads) => ({ threads, nodeFlags: [] }));
    if (opts.relaxed && !relaxedSimdSupported()) configs.push({ threads: Math.max(...opts.wasmThreads), nodeFlags: ['--experimental-wasm-relaxed-simd'] });
    for (const { threads, nodeFlags } of configs) {
      const label = `wasm ${threads} thread(s)${nodeFlags.length ? ' relaxed SIMD' : ''}`;
      await start('wasm', label, process.execPath, [...nodeFlags, fileURLToPath(import.meta.url), '--child', '--wasm-threads', String(threads)]);
    }
  }
  return servers;
}

/**
 * The interleaved rounds (see the header): per model, `warmup` untimed steps on each server, then
 * `rounds` rounds of `steps` timed training and inference steps on each in turn. Returns, per
 * server and model, `{ train, infer }` as summarizeRounds gives them.
 */
async function interleavedRounds(servers, opts) {
  const out = new Map(servers.map((s) => [s, {}]));
  for (const model of opts.models) {
    const steps = model === 'resnet18' ? Math.min(3, opts.steps) : opts.steps;
    const times = new Map(servers.map((s) => [s, { train: [], infer: [] }]));
    for (let r = 0; r < opts.rounds; r++) {
      for (const s of roundOrder(servers, r)) {
        for (const what of ['train', 'infer']) {
          times.get(s)[what].push(await s.server.request({ model, what, steps, warmup: r === 0 ? opts.warmup : 0 }));
        }
      }
    }
    for (const s of servers) {
      const t = times.get(s);
      out.get(s)[model] = { train: summarizeRounds(t.train, batchSize), infer: summarizeRounds(t.infer, batchSize) };
      console.log(`${s.label} ${model}: train ${fmt(out.get(s)[model].train.imagesPerSec)} img/s, infer ${fmt(out.get(s)[model].infer.imagesPerSec)} img/s`);
    }
  }
  return out;
}

/**
 * fp32 GEMM rate of `tf.matMul` on n^3: `wall` from the median call, `best` from the fastest (the
 * roofline's ceiling uses `best`, a peak, so that one slow call on a shared machine does not
 * lower it), `perCpuSec` from the median CPU time.
 */
async function tfjsGemmGflops(n = 1024, reps = 15) {
  const a = tf.randomUniform([n, n]);
  const b = tf.randomUniform([n, n]);
  const t = await timeSteps(async () => {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  }, reps);
  a.dispose();
  b.dispose();
  return { wall: (2 * n ** 3) / t.wall / 1e9, best: (2 * n ** 3) / t.fastest / 1e9, perCpuSec: (2 * n ** 3) / t.cpu / 1e9 };
}

/**
 * The roofline bound of a record: if every FLOP of the training step (3 x forward, see
 * `forwardMflop`) ran at the backend's own measured fp32 GEMM rate (same thread count),
 *
 *   ceilingImagesPerSec = gemmGflops * 1000 / (3 * forwardMflop)
 *   gemmCeilingRatio    = ceilingImagesPerSec / PyTorch train img/s
 *   gemmEfficiency      = trainGflops / gemmGflops
 *
 * A target ratio above `gemmCeilingRatio` cannot be met by faster glue kernels alone: it needs a
 * faster GEMM, or fewer multiplications than the direct convolution's (the FLOP counts here are
 * the direct ones: Winograd F(4x4, 3x3), which the wasm backend runs for ResNet's 3x3 stride-1
 * layers, does 4x fewer, so its `gemmEfficiency` can exceed 1 and its ratio the ceiling).
 */
function gemmCeiling(m, p, gemm) {
  const g = m.backend === 'wasm' ? gemm.wasm?.find((x) => x.threads === m.threads && x.simd === m.simd)?.bestGflops : m.backend === 'webgpu' ? gemm.webgpu?.gflops : undefined;
  if (g === undefined) return { gemmGflops: null, gemmEfficiency: null, ceilingImagesPerSec: null, gemmCeilingRatio: null };
  const ceilingImagesPerSec = (g * 1000) / (3 * forwardMflop[m.model]);
  return {
    gemmGflops: g,
    gemmEfficiency: (3 * forwardMflop[m.model] * m.trainImagesPerSec) / 1000 / g,
    ceilingImagesPerSec,
    gemmCeilingRatio: p ? ceilingImagesPerSec / p.trainImagesPerSec : null,
  };
}

/** Debian's torch is /usr/bin/python3's; elsewhere (a CUDA image) the python3 on PATH may hold it. */
function findPython() {
  for (const python of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0) return python;
  }
  return null;
}

function runPytorch(models, steps, device = 'cpu') {
  const python = findPython();
  if (python === null) return { skipped: "neither /usr/bin/python3 nor python3 can 'import torch'" };
  if (device === 'cuda' && spawnSync(python, ['-c', 'import torch,sys; sys.exit(0 if torch.cuda.is_available() else 1)']).status !== 0) {
    return { skipped: 'torch.cuda is not available' };
  }
  const args = [join(here, 'pytorch_bench.py'), '--models', models.join(','), '--steps', String(steps), '--device', device];
  const out = execFileSync(python, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop());
}

function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  const pkg = (p) => JSON.parse(readFileSync(join(here, '..', 'node_modules', p, 'package.json'), 'utf8')).version;
  const optionalPkg = (p) => (existsSync(join(here, '..', 'node_modules', p, 'package.json')) ? pkg(p) : null);
  return {
    cpu,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    tfjs: pkg('@tensorflow/tfjs-core'),
    tfjsBackendWasm: pkg('@tensorflow/tfjs-backend-wasm'),
    tfjsBackendWebgpu: optionalPkg('@tensorflow/tfjs-backend-webgpu'),
    dawnWebgpu: optionalPkg('webgpu'),
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

function fmt(x, digits = 1) {
  return x === null || x === undefined ? '-' : x.toFixed(digits);
}

function markdownTable(result) {
  const lines = [
    `Measured ${result.date} on ${result.machine.cpu} (${result.machine.cores} cores, ${result.machine.memoryGiB} GiB), ` +
      `Node ${result.machine.node}, tfjs ${result.machine.tfjs}, PyTorch ${result.pytorch?.torch ?? 'n/a'} ` +
      `(${result.pytorch?.threads ?? '-'} threads, BLAS ${result.pytorch?.blas ?? '-'}), load average at start ` +
      `${result.machine.loadAverage.join(' / ')}. Batch ${batchSize} (cpu: ${result.cpuBatch}). PyTorch and wasm: ${result.warmup} warm-up steps, then ` +
      `${result.rounds} interleaved rounds of ${result.steps} steps each (ResNet-18: ${Math.min(3, result.steps)}), every side in turn, the order reversed every other round; ` +
      `img/s from the median over all rounds' steps. Other backends: median of ${result.steps} steps after one warm-up.`,
    '',
    `fp32 GEMM: ` +
      (result.gemm.wasm ?? [])
        .map((g) => `tfjs wasm ${g.threads} thread(s)${g.simd === 'relaxed' ? ' relaxed SIMD' : ''} ${fmt(g.gflops)} GFLOP/s wall (fastest call ${fmt(g.bestGflops)}), ${fmt(g.gflopsPerCpuSec)} per CPU-second (1024^3); `)
        .join('') +
      `PyTorch ${fmt(result.gemm.pytorchGflops)} GFLOP/s wall, ${fmt(result.gemm.pytorchGflopsPerCpuSec)} per CPU-second (2048^3)` +
      (result.gemm.webgpu ? `; tfjs webgpu ${fmt(result.gemm.webgpu.gflops)} GFLOP/s (4096^3, ${result.gemm.webgpu.adapter})` : '') +
      (result.gemm.pytorchCudaGflops ? `; PyTorch CUDA ${fmt(result.gemm.pytorchCudaGflops)} GFLOP/s (fp32, TF32 off, 4096^3, ${result.pytorchCuda.device})` : '') +
      '.',
    '',
    'Columns: img/s is wall clock; "/cpu-s" is images per process CPU-second (all threads), which a busy shared machine distorts less;',
    'ratio = tfjs train img/s / PyTorch train img/s (wall); ratio range = the lowest and highest ratio of a single round; cpu-s ratio = the same per CPU-second.',
    'webgpu rows compare with PyTorch on CUDA.',
    'train GFLOP/s = 3 x forward FLOP (direct convolution) x train img/s; GEMM eff. = that / the backend\'s own fastest fp32 GEMM rate (same threads);',
    'GEMM ceiling = the ratio this backend would reach if every direct-convolution FLOP ran at its GEMM rate (its fastest 1024^3 call); a target above it needs a faster GEMM',
    'or fewer multiplications: wasm runs ResNet\'s 3x3 stride-1 layers as Winograd F(4x4, 3x3), 4x fewer, hence GEMM eff. above 1 and ratios above the ceiling.',
    '',
    '| model | backend | threads | SIMD | train img/s | train img/cpu-s | infer img/s | PyTorch train img/s | PyTorch train img/cpu-s | PyTorch infer img/s | ratio | ratio range | cpu-s ratio | train GFLOP/s | GEMM eff. | GEMM ceiling |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of result.records) {
    lines.push(
      `| ${r.model} | ${r.backend} | ${r.threads} | ${r.simd ?? '-'} | ${fmt(r.trainImagesPerSec)} | ${fmt(r.trainImagesPerCpuSec)} | ` +
        `${fmt(r.inferImagesPerSec)} | ${fmt(r.pytorchTrainImagesPerSec)} | ${fmt(r.pytorchTrainImagesPerCpuSec)} | ` +
        `${fmt(r.pytorchInferImagesPerSec)} | ${fmt(r.ratio, 2)} | ${r.ratioRange ? `${fmt(r.ratioRange[0], 2)}-${fmt(r.ratioRange[1], 2)}` : '-'} | ` +
        `${fmt(r.cpuTimeRatio, 2)} | ${fmt(r.trainGflops)} | ` +
        `${fmt(r.gemmEfficiency, 2)} | ${fmt(r.gemmCeilingRatio, 2)} |`,
    );
  }
  for (const s of result.skipped) lines.push('', `- skipped: ${s}`);
  return lines.join('\n');
}

function writeBenchmarksMd(result) {
  const path = join(repoRoot, 'BENCHMARKS.md');
  const start = '<!-- bench:results:start -->';
  const end = '<!-- bench:results:end -->';
  const block = `${start}\n${markdownTable(result)}\n${end}`;
  let text = existsSync(path) ? readFileSync(path, 'utf8') : `# Benchmarks\n\n${start}\n${end}\n`;
  if (!text.includes(start) || !text.includes(end)) text += `\n${start}\n${end}\n`;
  text = text.slice(0, text.indexOf(start)) + block + text.slice(text.indexOf(end) + end.length);
  writeFileSync(path, text);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { source, create } = await modelFactory();
  if (opts.child) {
    await serveWasm(opts, create);
    return;
  }
  const result = {
    date: new Date().toISOString(),
    machine: machine(),
    modelSource: source,
    steps: opts.steps,
    rounds: opts.rounds,
    warmup: opts.warmup,
    cpuBatch: 8,
    gemm: {},
    records: [],
    skipped: [],
  };
  console.log(`models from ${source}; machine ${result.machine.cpu}, ${result.machine.cores} cores, load ${result.machine.loadAverage.join(' ')}`);

  // PyTorch and the wasm configurations: step servers, timed side by side in interleaved rounds.
  console.log('starting the step servers (PyTorch, wasm) ...');
  const servers = await startServers(opts, result);
  console.log(`interleaved rounds: ${servers.map((s) => s.label).join(', ')}`);
  const rounds = await interleavedRounds(servers, opts);
  await Promise.all(servers.map((s) => s.server.close()));
  const pyServer = servers.find((s) => s.key === 'pytorch');
  let py = null;
  if (pyServer) {
    const meta = pyServer.meta;
    result.gemm.pytorchGflops = meta.gemmGflops;
    result.gemm.pytorchGflopsPerCpuSec = meta.gemmGflopsPerCpuSec;
    py = { torch: meta.torch, threads: meta.threads, blas: meta.blas, rounds: rounds.get(pyServer), models: {} };
    for (const [m, r] of Object.entries(py.rounds)) {
      py.models[m] = {
        trainImagesPerSec: r.train.imagesPerSec,
        inferImagesPerSec: r.infer.imagesPerSec,
        trainImagesPerCpuSec: r.train.imagesPerCpuSec,
        inferImagesPerCpuSec: r.infer.imagesPerCpuSec,
      };
    }
  }
  result.pytorch = py && { torch: py.torch, threads: py.threads, blas: py.blas };

  const measured = [];
  for (const backend of opts.backends) {
    if (backend === 'wasm') {
      for (const s of servers.filter((x) => x.key === 'wasm')) {
        const g = s.meta.gemm;
        result.gemm.wasm = [...(result.gemm.wasm ?? []), { threads: g.threads, simd: g.simd, gflops: g.wall, bestGflops: g.best, gflopsPerCpuSec: g.perCpuSec }];
        for (const [model, r] of Object.entries(rounds.get(s))) {
          const range = py ? roundRatios(r.train, py.rounds[model].train) : null;
          measured.push({
            model,
            backend: 'wasm',
            threads: g.threads,
            simd: g.simd,
            batch: batchSize,
            trainImagesPerSec: r.train.imagesPerSec,
            inferImagesPerSec: r.infer.imagesPerSec,
            trainImagesPerCpuSec: r.train.imagesPerCpuSec,
            inferImagesPerCpuSec: r.infer.imagesPerCpuSec,
            ratioPerRound: range?.ratios ?? null,
            ratioRange: range ? [range.min, range.max] : null,
          });
        }
      }
      continue;
    }
    let sel;
    try {
      sel = await useBackend(backend);
    } catch (e) {
      result.skipped.push(`${backend}: ${e.message.split('\n')[0]}`);
      console.log(`skip ${backend}: ${e.message.split('\n')[0]}`);
      continue;
    }
    if (backend === 'webgpu') {
      const g = await tfjsGemmGflops(4096, 10);
      result.gemm.webgpu = { gflops: g.wall, adapter: sel.reason };
      console.log(`webgpu: ${sel.reason}; fp32 GEMM 4096^3 ${fmt(g.wall)} GFLOP/s`);
    }
    for (const model of opts.models) {
      // The pure-JS cpu backend does ~1 image/s: one small batch, and no ResNet (~0.04 image/s).
      if (backend === 'cpu' && model === 'resnet18') {
        result.skipped.push('cpu resnet18: about 0.04 images/s, too slow to measure in a short run');
        continue;
      }
      const batch = backend === 'cpu' ? result.cpuBatch : batchSize;
      const steps = backend === 'cpu' ? 1 : model === 'resnet18' ? Math.min(3, opts.steps) : opts.steps;
      const r = await measureModel(create, model, batch, steps);
      console.log(`${backend} ${model}: train ${fmt(r.trainImagesPerSec)} img/s, infer ${fmt(r.inferImagesPerSec)} img/s`);
      measured.push({ model, backend, threads: sel.threads, batch, ...r });
    }
  }

  // GPU rows are compared with PyTorch on the GPU of the same machine.
  let pyCuda = null;
  if (opts.pytorch && measured.some((m) => m.backend === 'webgpu')) {
    console.log('PyTorch on CUDA (fp32, TF32 off) ...');
    pyCuda = runPytorch(opts.models, opts.steps, 'cuda');
    if (pyCuda.skipped) {
      result.skipped.push(`pytorch cuda: ${pyCuda.skipped}`);
      pyCuda = null;
    } else {
      result.gemm.pytorchCudaGflops = pyCuda.gemmGflops;
      result.pytorchCuda = { torch: pyCuda.torch, device: pyCuda.deviceName };
      for (const [m, r] of Object.entries(pyCuda.models)) {
        console.log(`pytorch cuda ${m}: train ${fmt(r.trainImagesPerSec)} img/s, infer ${fmt(r.inferImagesPerSec)} img/s`);
      }
    }
  }
  for (const m of measured) {
    const gpu = m.backend === 'webgpu';
    const p = (gpu ? pyCuda : py)?.models?.[m.model];
    result.records.push({
      ...m,
      pytorchDevice: p ? (gpu ? 'cuda' : 'cpu') : null,
      pytorchTrainImagesPerSec: p?.trainImagesPerSec ?? null,
      pytorchInferImagesPerSec: p?.inferImagesPerSec ?? null,
      pytorchTrainImagesPerCpuSec: p?.trainImagesPerCpuSec ?? null,
      ratio: p ? m.trainImagesPerSec / p.trainImagesPerSec : null,
      cpuTimeRatio: p ? m.trainImagesPerCpuSec / p.trainImagesPerCpuSec : null,
      inferRatio: p ? m.inferImagesPerSec / p.inferImagesPerSec : null,
      trainGflops: (3 * forwardMflop[m.model] * m.trainImagesPerSec) / 1000,
      ...gemmCeiling(m, p, result.gemm),
    });
  }
  console.log('\n' + markdownTable(result));
  if (opts.json) writeFileSync(opts.json, JSON.stringify(result, null, 2) + '\n');
  if (opts.write) {
    mkdirSync(join(repoRoot, 'bench', 'results'), { recursive: true });
    writeFileSync(join(repoRoot, 'bench', 'results', 'latest.json'), JSON.stringify(result, null, 2) + '\n');
    writeBenchmarksMd(result);
    console.log(`\nwrote bench/results/latest.json and BENCHMARKS.md`);
  }
}

await main();
// Dawn (webgpu) keeps the event loop alive while navigator.gpu is referenced.
process.exit(0);
