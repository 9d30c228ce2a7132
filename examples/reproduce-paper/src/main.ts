import { cpus } from 'node:os';
import { useBackend } from '@regstudy/tfjs-training-kernels/node';
import { CliError, evaluateHelpText, helpText, parseCliArgs, parseEvaluateArgs } from './cli/args';
import { countParams, dryRunText, imagesOf, summarizeDryRun } from './cli/dry-run';
import { checkPlan, resolvePlan, type StudyPlan } from './cli/plan';
import { checkOutDir } from './cli/out-dir';
import { formatDuration, StudyProgress, type ProgressSink } from './cli/progress';
import { paperReference } from './paper/reference';
import { prepareData, type DataDescription } from './run/data';
import { packageVersions, type RunDescription } from './run/description';
import { evaluateRun, evaluationText } from './run/evaluate';
import { existingResults } from './run/existing';
import { writeReport } from './run/report';
import { runJobs } from './run/jobs';
import { plannedRunIds, runPlannedStudy, studyDirOf } from './run/study';

/** Where main writes: progress/diagnostics (stderr-like) and results summary (stdout-like). */
export interface MainIo {
  out: ProgressSink;
  err: ProgressSink;
  cwd: string;
  signal?: AbortSignal;
  /** The CLI entry that `--jobs` starts once per job (default: `process.argv[1]`). */
  cliPath?: string;
}

interface Outcome {
  data: DataDescription;
  backend: RunDescription['backend'];
  runs: RunDescription['runs'];
  aborted: boolean;
}

/**
 * `--jobs N`: prepares the data once here (so that the jobs find it cached), then trains the grid
 * as N processes of this CLI at once, job i on `--shard i/N` with `--threads` (default: the cores
 * divided among the jobs), and counts what they did from the results folder.
 */
async function trainInJobs(plan: StudyPlan, argv: readonly string[], io: MainIo, progress: StudyProgress): Promise<Outcome> {
  const threads = plan.threads ?? Math.max(1, Math.floor(cpus().length / plan.jobs));
  const data = await prepareData(plan, { note: (t) => progress.note(t), progress: (p) => progress.phase(p.phase, p.done, p.total) }, io.signal);
  const before = existingResults(plan, plan.resume);
  progress.note(`jobs: ${plan.jobs} processes at once, ${threads} wasm thread${threads === 1 ? '' : 's'} each (--shard 0/${plan.jobs} .. ${plan.jobs - 1}/${plan.jobs})`);
  const jobs = await runJobs({
    cliPath: io.cliPath ?? process.argv[1] ?? '',
    argv,
    jobs: plan.jobs,
    threads,
    err: io.err,
    ...(io.signal ? { signal: io.signal } : {}),
  });
  const after = existingResults(plan, false);
  const skipped = plan.resume ? before.finished : 0;
  const crashed = jobs.exitCodes.filter((c) => c !== 0 && c !== 1).length;
  if (crashed > 0) progress.note(`jobs: ${crashed} of ${plan.jobs} processes crashed (exit codes ${jobs.exitCodes.join(', ')}); rerun to resume`);
  return {
    data: data.description,
    backend: {
      requested: plan.backend,
      name: jobs.backend?.name ?? 'unknown',
      reason: `${plan.jobs} processes (--jobs), each: ${jobs.backend?.reason ?? 'no backend line seen'}`,
      threads,
    },
    runs: { completed: Math.max(0, after.finished - skipped), skipped, failed: after.failed, other: after.unfinished },
    aborted: (io.signal?.aborted ?? false) || jobs.exitCodes.some((c) => c !== 0),
  };
}

/** `reproduce-paper evaluate ...`: prints the val accuracy and loss of a run's kept weights. */
async function evaluateCommand(argv: readonly string[], io: MainIo): Promise<number> {
  const args = parseEvaluateArgs(argv);
  if (args.help) {
    io.out.write(evaluateHelpText);
    return 0;
  }
  const backend = await useBackend(args.cli.backend, args.cli.threads !== undefined ? { threads: args.cli.threads } : {});
  io.err.write(`backend: ${backend.backend} (${backend.threads} thread${backend.threads === 1 ? '' : 's'})\n`);
  const evaluation = await evaluateRun(args, io.cwd, { note: (t) => io.err.write(`${t}\n`) }, io.signal);
  io.out.write(evaluationText(evaluation));
  return 0;
}

/**
 * The CLI: parse, pick the backend, prepare data, run the grid with resume, write the report
 * (with `--report-only`: only the report, from the results already in `--out`).
 * @returns the process exit code: 0 done, 1 a run failed or the study was interrupted, 2 bad usage
 */
export async function main(argv: readonly string[], io: MainIo): Promise<number> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  try {
    const rest = argv[0] === '--' ? argv.slice(1) : argv;
    if (rest[0] === 'evaluate') return await evaluateCommand(rest.slice(1), io);
    const args = parseCliArgs(argv);
    if (args.help) {
      io.out.write(helpText);
      return 0;
    }
    const plan = resolvePlan(args, io.cwd);
    checkPlan(plan);
    if (args.dryRun) {
      const runs = plannedRunIds(plan);
      const images = imagesOf(plan);
      const params = await countParams(plan.models.map((m) => m.name), images.classes);
      io.out.write(`${JSON.stringify({ plan, runs }, null, 2)}\n${dryRunText(summarizeDryRun(plan, runs, params, images), plan, images)}`);
      return 0;
    }
    // Before the backend and the data: an unusable --out would otherwise fail only at the first run.
    checkOutDir(plan.outDir);
    const progress = new StudyProgress(io.err, !args.quiet);
    let outcome: Outcome;
    if (args.reportOnly) {
      const found = existingResults(plan);
      if (!found.data) throw new CliError(`--report-only: no run of this grid has results in ${studyDirOf(plan)}`);
      if (found.otherEpochs.length > 0) {
        throw new CliError(
          `--report-only: ${studyDirOf(plan)}/study.json lists other epochs than asked (${found.otherEpochs.slice(0, 3).join('; ')}${found.otherEpochs.length > 3 ? '; ...' : ''}); ` +
            'pass the --epochs the study was trained with, or train with these first',
        );
      }
      progress.note(`report only: ${found.finished} finished, ${found.failed} failed, ${found.unfinished} unfinished or missing runs in ${studyDirOf(plan)}`);
      outcome = {
        data: found.data,
        backend: { requested: plan.backend, name: 'none', reason: 'report only: nothing was trained in this invocation', threads: 0 },
        runs: { completed: 0, skipped: found.finished, failed: found.failed, other: found.unfinished },
        aborted: false,
      };
    } else if (plan.jobs > 1) {
      outcome = await trainInJobs(plan, argv, io, progress);
    } else {
      const backend = await useBackend(plan.backend, plan.threads !== undefined ? { threads: plan.threads } : {});
      progress.note(`backend: ${backend.backend} (${backend.threads} thread${backend.threads === 1 ? '' : 's'}): ${backend.reason.split(' (skipped')[0]}`);
      if (backend.backend === 'cpu') {
        progress.note(
          'warning: the pure-JS cpu backend trains about 1 image/s (measured 0.7 for the Initial and New models, 60-250 on wasm); ' +
            'the quick preset takes hours on it. Check that @tensorflow/tfjs-backend-wasm loads, or shrink the grid (--models new --epochs 1).',
        );
      }
      const data = await prepareData(plan, { note: (t) => progress.note(t), progress: (p) => progress.phase(p.phase, p.done, p.total) }, io.signal);
      const study = await runPlannedStudy(plan, data, progress, io.signal);
      const count = (s: string) => study.runs.filter((r) => r.status === s).length;
      outcome = {
        data: data.description,
        backend: { requested: plan.backend, name: backend.backend, reason: backend.reason, threads: backend.threads },
        runs: {
          completed: count('completed'),
          skipped: count('skipped'),
          failed: count('failed'),
          other: study.runs.length - count('completed') - count('skipped') - count('failed'),
        },
        aborted: study.aborted,
      };
    }
    if (args.noReport) {
      const { runs } = outcome;
      io.out.write(
        `runs: ${runs.completed} completed, ${runs.skipped} skipped (already done), ${runs.failed} failed` +
          (runs.other ? `, ${runs.other} unfinished` : '') +
          `\nwall time: ${formatDuration((Date.now() - started) / 1000)} on ${outcome.backend.name} (no report: --no-report)\n`,
      );
      return outcome.aborted || runs.failed > 0 ? 1 : 0;
    }
    progress.note(`report: writing tables, figures and report.html to ${plan.outDir}`);
    const ref = paperReference(plan.models.map((m) => m.name));
    const describe = (): RunDescription => ({
      command: ['reproduce-paper', ...argv].join(' '),
      preset: plan.preset,
      data: outcome.data,
      models: plan.models,
      regularization: plan.regularization,
      l2Mode: plan.l2Mode,
      optimizer: plan.optimizer,
      batchSize: plan.batchSize,
      pixels: 'pixels scaled to [0, 1], no mean/std normalisation, no augmentation',
      seeds: Array.from({ length: plan.seeds }, (_, i) => i),
      shard: plan.shard ?? null,
      backend: outcome.backend,
      versions: packageVersions(),
      host: { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length },
      runs: outcome.runs,
      startedAt,
      wallSeconds: (Date.now() - started) / 1000,
    });
    const report = await writeReport(plan.outDir, studyDirOf(plan), ref, describe);
    const wall = (Date.now() - started) / 1000;
    const { runs } = outcome;
    io.out.write(
      `\nreport: ${plan.outDir}/report.html (tables.md, tables/, figures/, reproduction.md)\n` +
        (report.missing.length ? `runs of the grid without results yet: ${report.missing.length}\n` : '') +
        `runs: ${runs.completed} completed, ${runs.skipped} skipped (already done), ${runs.failed} failed` +
        (runs.other ? `, ${runs.other} unfinished` : '') +
        `\nwall time: ${formatDuration(wall)} (${wall.toFixed(1)} s) on ${outcome.backend.name}\n`,
    );
    if (outcome.aborted) return 1;
    return runs.failed > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof CliError) {
      io.err.write(`reproduce-paper: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
