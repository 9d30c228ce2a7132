import { cpus } from 'node:os';
import { useBackend } from '@regstudy/trainer/node';
import { CliError, helpText, parseCliArgs } from './cli/args';
import { checkPlan, resolvePlan, type StudyPlan } from './cli/plan';
import { formatDuration, StudyProgress, type ProgressSink } from './cli/progress';
import { paperReference } from './paper/reference';
import { prepareData } from './run/data';
import { packageVersions, type RunDescription } from './run/description';
import { writeReport } from './run/report';
import { runPlannedStudy, studyDirOf } from './run/study';

/** Where main writes: progress/diagnostics (stderr-like) and results summary (stdout-like). */
export interface MainIo {
  out: ProgressSink;
  err: ProgressSink;
  cwd: string;
  signal?: AbortSignal;
}

/**
 * The CLI: parse, prepare data, pick the backend, run the grid with resume, write the report.
 * @returns the process exit code: 0 done, 1 a run failed or the study was interrupted, 2 bad usage
 */
export async function main(argv: readonly string[], io: MainIo): Promise<number> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  let plan: StudyPlan;
  try {
    const args = parseCliArgs(argv);
    if (args.help) {
      io.out.write(helpText);
      return 0;
    }
    plan = resolvePlan(args, io.cwd);
    checkPlan(plan);
    const progress = new StudyProgress(io.err, !args.quiet);
    const backend = await useBackend(plan.backend);
    progress.note(`backend: ${backend.backend} (${backend.threads} thread${backend.threads === 1 ? '' : 's'}): ${backend.reason.split(' (skipped')[0]}`);
    const data = await prepareData(plan, { note: (t) => progress.note(t) }, io.signal);
    const ref = paperReference(plan.models.map((m) => m.name));
    const study = await runPlannedStudy(plan, data, progress, io.signal);
    const count = (s: string) => study.runs.filter((r) => r.status === s).length;
    const runs = {
      completed: count('completed'),
      skipped: count('skipped'),
      failed: count('failed'),
      other: study.runs.length - count('completed') - count('skipped') - count('failed'),
    };
    progress.note(`report: writing tables, figures and report.html to ${plan.outDir}`);
    const describe = (): RunDescription => ({
      command: ['reproduce-paper', ...argv].join(' '),
      preset: plan.preset,
      data: data.description,
      models: plan.models,
      regularization: plan.regularization,
      l2Mode: plan.l2Mode,
      optimizer: plan.optimizer,
      batchSize: plan.batchSize,
      pixels: 'pixels scaled to [0, 1], no mean/std normalisation, no augmentation',
      seeds: Array.from({ length: plan.seeds }, (_, i) => i),
      shard: plan.shard ?? null,
      backend: { requested: plan.backend, name: backend.backend, reason: backend.reason, threads: backend.threads },
      versions: packageVersions(),
      host: { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length },
      runs,
      startedAt,
      wallSeconds: (Date.now() - started) / 1000,
    });
    const report = await writeReport(plan.outDir, studyDirOf(plan), ref, describe);
    const wall = (Date.now() - started) / 1000;
    io.out.write(
      `\nreport: ${plan.outDir}/report.html (tables.md, tables/, figures/, reproduction.md)\n` +
        (report.missing.length ? `runs of the grid without results yet: ${report.missing.length}\n` : '') +
        `runs: ${runs.completed} completed, ${runs.skipped} skipped (already done), ${runs.failed} failed` +
        (runs.other ? `, ${runs.other} aborted/diverged` : '') +
        `\nwall time: ${formatDuration(wall)} (${wall.toFixed(1)} s) on ${backend.backend}\n`,
    );
    if (study.aborted) return 1;
    return runs.failed > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof CliError) {
      io.err.write(`reproduce-paper: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
