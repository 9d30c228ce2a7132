import { describe, expect, it } from 'vitest';
import { CliError, helpText, parseCliArgs } from '../src/cli/args';
import { checkPlan, resolvePlan, TINY_IMAGENET_URL } from '../src/cli/plan';

describe('parseCliArgs', () => {
  it('defaults to the quick preset, auto backend, resume on, results/', () => {
    const a = parseCliArgs([]);
    expect(a).toMatchObject({ help: false, preset: 'quick', backend: 'auto', resume: true, keepCheckpoints: false, out: 'results', quiet: false });
    expect(a.models).toBeUndefined();
    expect(a.epochs).toBeUndefined();
  });

  it('reads every flag', () => {
    const a = parseCliArgs([
      '--preset', 'paper', '--data', 'x.zip', '--l2-mode', 'penalty', '--models', 'new,resnet18',
      '--l1', '0,0.0001', '--l2', '1e-4', '--epochs', '7', '--seeds', '3', '--batch-size', '64',
      '--classes', '5', '--per-class', '30', '--val-per-class', '4', '--backend', 'wasm', '--shard', '2/8',
      '--no-resume', '--out', 'r', '--cache', 'c', '--lr', '0.01', '--quiet', '--keep-checkpoints', '--no-keep-weights', '--report-only', '--dry-run',
      '--threads', '3', '--skip-bad-images',
    ]);
    expect(a).toEqual({
      help: false, preset: 'paper', data: 'x.zip', cache: 'c', out: 'r', l2Mode: 'penalty', models: ['new', 'resnet18'],
      l1: [0, 1e-4], l2: [1e-4], epochs: 7, seeds: 3, batchSize: 64, classes: 5, perClass: 30, valPerClass: 4,
      learningRate: 0.01, backend: 'wasm', shard: { index: 2, count: 8 }, resume: false, keepCheckpoints: true, keepWeights: false, reportOnly: true, dryRun: true, quiet: true,
      threads: 3, jobs: 1, noReport: false, skipBadImages: true,
    });
    expect(parseCliArgs(['--jobs', '4', '--no-report'])).toMatchObject({ jobs: 4, noReport: true });
  });

  it('drops a leading -- that pnpm hands through', () => {
    expect(parseCliArgs(['--', '--epochs', '2']).epochs).toBe(2);
  });

  it.each([
    [['--preset', 'fast'], /^--preset: "fast" is not one of quick, paper, sweep$/],
    [['--models', 'new,vgg'], /^--models: "vgg" is not one of/],
    [['--l1', '0,abc'], /^--l1: expected numbers >= 0 \(a comma list like 0,0\.0001\), got "abc"$/],
    [['--l2=-1'], /^--l2: expected numbers >= 0 \(a comma list like 0,0\.0001\), got -1$/],
    [['--l1', '0,,1'], /^--l1: empty item/],
    [['--epochs', '0'], /^--epochs: expected a positive integer, got 0$/],
    [['--epochs', '2.5'], /^--epochs: expected a positive integer, got 2\.5$/],
    [['--classes', '1'], /^--classes: expected an integer >= 2/],
    [['--batch-size', 'x'], /^--batch-size:/],
    [['--backend', 'gpu'], /^--backend: "gpu" is not one of auto, tensorflow, webgpu, wasm, cpu$/],
    [['--l2-mode', 'l2'], /^--l2-mode:/],
    [['--shard', '3/2'], /^--shard: expected i\/N with 0 <= i < N/],
    [['--shard', '2/2'], /^--shard:/],
    [['--shard', '0/0'], /^--shard:/],
    [['--lr', '0'], /^--lr:/],
    [['--frobnicate'], /--frobnicate/],
    [['--epochs'], /--epochs/],
    [['extra'], /unexpected argument "extra"/],
    [['--resume', '--no-resume'], /--resume and --no-resume/],
    [['--jobs', '0'], /^--jobs: expected a positive integer, got 0$/],
    [['--threads', 'many'], /^--threads: expected a positive integer, got "many"$/],
    [['--report-only', '--no-report'], /--report-only and --no-report/],
  ])('rejects %j naming the flag', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(CliError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });

  // `--epochs -1`: node's parseArgs takes "-1" for an option and answers in three lines.
  it.each([
    [['--epochs', '-1'], '--epochs: expected a positive integer, got -1'],
    [['--seeds', '-2'], '--seeds: expected a positive integer, got -2'],
    [['--batch-size', '-20'], '--batch-size: expected a positive integer, got -20'],
    [['--classes', '-3'], '--classes: expected an integer >= 2, got -3'],
    [['--per-class', '-5'], '--per-class: expected a positive integer, got -5'],
    [['--val-per-class', '-1'], '--val-per-class: expected a positive integer, got -1'],
    [['--threads', '-4'], '--threads: expected a positive integer, got -4'],
    [['--jobs', '-1'], '--jobs: expected a positive integer, got -1'],
    [['--lr', '-0.01'], '--lr: expected a number > 0, got -0.01'],
    [['--lr', '-.5'], '--lr: expected a number > 0, got -.5'],
    [['--l1', '-1e-4'], '--l1: expected numbers >= 0 (a comma list like 0,0.0001), got -1e-4'],
    [['--l2', '-1,0'], '--l2: expected numbers >= 0 (a comma list like 0,0.0001), got -1'],
    [['--shard', '-1/2'], '--shard: expected i/N with 0 <= i < N (e.g. 0/4), got "-1/2"'],
    [['--epochs', '--quiet'], '--epochs: missing value before "--quiet" (write --epochs=VALUE for a value that starts with "-")'],
    [['--quiet', '--epochs'], '--epochs: missing value (see --help)'],
  ])('a negative or missing number %j is one line naming the flag', (argv, message) => {
    let caught: unknown;
    try {
      parseCliArgs(argv);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CliError);
    expect((caught as Error).message).toBe(message);
  });

  it('rejects --data URLs it cannot download, in one line; http(s) URLs and paths pass', () => {
    expect(() => parseCliArgs(['--data', 'ftp://x/y.zip'])).toThrow(CliError);
    expect(() => parseCliArgs(['--data', 'ftp://x/y.zip'])).toThrow(
      /^--data: unsupported URL scheme "ftp:" in "ftp:\/\/x\/y\.zip": only http:\/\/ and https:\/\/ URLs are downloaded; give a local folder or zip as a path$/,
    );
    expect(() => parseCliArgs(['--data', 'file:///data/t.zip'])).toThrow(/^--data: unsupported URL scheme "file:"/);
    expect(() => parseCliArgs(['--data', 's3://bucket/t.zip'])).toThrow(/^--data: unsupported URL scheme "s3:"/);
    for (const ok of ['http://h/t.zip', 'HTTPS://h/t.zip', './tiny-imagenet-200', 'C:\\data\\t.zip', 'dir:with:colons/t.zip']) {
      expect(parseCliArgs(['--data', ok]).data).toBe(ok);
    }
  });

  it('documents every flag in --help, with examples', () => {
    for (const flag of ['--preset', '--data', '--l2-mode', '--models', '--l1', '--l2', '--epochs', '--seeds', '--batch-size', '--classes', '--per-class', '--backend', '--shard', '--resume', '--no-resume', '--out', '--jobs', '--threads', '--no-report', '--skip-bad-images']) {
      expect(helpText).toContain(flag);
    }
    expect(helpText).toContain('Examples');
  });
});

describe('resolvePlan', () => {
  it('paper preset: the original protocol on the real data', () => {
    const p = resolvePlan(parseCliArgs(['--preset', 'paper']), '/home/u');
    expect(p.models).toEqual([
      { name: 'initial', epochs: 50 },
      { name: 'new', epochs: 50 },
      { name: 'resnet18', epochs: 25 },
    ]);
    expect(p.regularization).toEqual([
      { l1: 0, l2: 0 },
      { l1: 0, l2: 1e-4 },
      { l1: 1e-4, l2: 0 },
      { l1: 1e-4, l2: 1e-4 },
    ]);
    expect(p.optimizer).toEqual({ kind: 'sgd', learningRate: 0.001, momentum: 0.9 });
    expect(p.batchSize).toBe(100);
    expect(p.normalize).toBe('0-1');
    expect(p.l2Mode).toBe('weight-decay');
    expect(p.data).toEqual({ kind: 'tiny-imagenet', source: TINY_IMAGENET_URL, classes: undefined, trainPerClass: undefined, valPerClass: undefined, skipBadImages: false });
    expect(p.outDir).toBe('/home/u/results');
    expect(p.cacheDir).toBe('/home/u/.cache/regstudy');
  });

  it('quick preset: synthetic twin in the cache, the whole grid, fewer epochs', () => {
    const p = resolvePlan(parseCliArgs([]), '/w');
    expect(p.data.kind).toBe('synthetic');
    expect(p.models.map((m) => m.name)).toEqual(['initial', 'new', 'resnet18']);
    expect(p.regularization).toHaveLength(4);
    expect(p.optimizer).toEqual({ kind: 'sgd', learningRate: 0.01, momentum: 0.9 });
    expect(p.models).toEqual([
      { name: 'initial', epochs: 5 },
      { name: 'new', epochs: 8 },
      { name: 'resnet18', epochs: 2 },
    ]);
    if (p.data.kind === 'synthetic') expect(p.data.dir.startsWith('/w/.cache/regstudy/synthetic-')).toBe(true);
  });

  it('flags override the preset; --epochs applies to every model; paths resolve from cwd', () => {
    const p = resolvePlan(parseCliArgs(['--models', 'resnet18,new', '--epochs', '1', '--classes', '2', '--per-class', '3', '--data', 'd/tiny.zip', '--out', '/abs']), '/w');
    expect(p.models).toEqual([
      { name: 'resnet18', epochs: 1 },
      { name: 'new', epochs: 1 },
    ]);
    expect(p.data).toMatchObject({ kind: 'tiny-imagenet', source: '/w/d/tiny.zip', classes: 2, trainPerClass: 3 });
    expect(p.outDir).toBe('/abs');
  });

  it('keeps a URL as given', () => {
    const p = resolvePlan(parseCliArgs(['--data', 'https://example.org/t.zip']), '/w');
    expect(p.data).toMatchObject({ source: 'https://example.org/t.zip' });
  });

  it('rejects more shards than runs, naming --shard', () => {
    const p = resolvePlan(parseCliArgs(['--models', 'new', '--l1', '0', '--l2', '0', '--shard', '0/3']), '/w');
    expect(() => checkPlan(p)).toThrow(/^--shard: 3 shards for a grid of 1 runs/);
  });

  it('rejects --jobs with --shard, and more jobs than runs, naming --jobs', () => {
    const grid = ['--models', 'new', '--l1', '0,1e-4', '--l2', '0'];
    expect(() => checkPlan(resolvePlan(parseCliArgs([...grid, '--jobs', '2', '--shard', '0/2']), '/w'))).toThrow(/^--jobs: cannot be combined with --shard/);
    expect(() => checkPlan(resolvePlan(parseCliArgs([...grid, '--jobs', '3']), '/w'))).toThrow(/^--jobs: 3 jobs for a grid of 2 runs/);
    const p = resolvePlan(parseCliArgs([...grid, '--jobs', '2', '--threads', '1']), '/w');
    expect(() => checkPlan(p)).not.toThrow();
    expect(p).toMatchObject({ jobs: 2, threads: 1 });
  });
});
