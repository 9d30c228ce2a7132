import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ProgressSink } from '../cli/progress';

/** Options of {@link runJobs}. */
export interface JobsOptions {
  /** The CLI's entry script (`dist/cli.js`), started with this Node. */
  cliPath: string;
  /** The command line the user gave (without node and the script). */
  argv: readonly string[];
  /** Processes to start; job i runs `--shard i/jobs`. */
  jobs: number;
  /** wasm threads of each process (`--threads`). */
  threads: number;
  /** Where each job's output lines go, prefixed `[job i/N] `. */
  err: ProgressSink;
  /** Aborting sends SIGTERM to every job; each stops after its current batch with a checkpoint. */
  signal?: AbortSignal;
}

/** What the jobs did. */
export interface JobsOutcome {
  /** Exit code per job (0 done, 1 a run failed or the job was interrupted, other: it crashed). */
  exitCodes: number[];
  /** The backend job 0 reported (`backend: NAME (T thread(s)): reason`), or null if it printed none. */
  backend: { name: string; reason: string } | null;
}

/** Flags the parent sets for its jobs itself, with whether they take a value. */
const PARENT_FLAGS = new Map([
  ['--jobs', true],
  ['--threads', true],
  ['--shard', true],
  ['--report-only', false],
  ['--dry-run', false],
]);

/**
 * The command line of job `index` of `count`: the user's flags without `--jobs`/`--threads`/
 * `--shard` (either `--flag value` or `--flag=value`), plus `--shard index/count --threads T
 * --no-report` (the parent writes the one report when all jobs have ended).
 */
export function jobArgs(argv: readonly string[], index: number, count: number, threads: number): string[] {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const name = a.split('=')[0]!;
    const takesValue = PARENT_FLAGS.get(name);
    if (takesValue === undefined) {
      kept.push(a);
      continue;
    }
    if (takesValue && !a.includes('=')) i += 1;
  }
  return [...kept, '--shard', `${index}/${count}`, '--threads', String(threads), '--no-report'];
}

const BACKEND_LINE = /^backend: (\S+) \(\d+ threads?\): (.*)$/;

/**
 * Runs the grid as `jobs` child processes of the CLI at once, each training its shard
 * (`gridIndex % jobs === i`, see the trainer's `shardRuns`) into the same `--out`. Every job
 * writes its runs' results and checkpoints itself (atomically), so an interrupted or failed job
 * loses nothing that a later invocation (with or without `--jobs`) cannot resume.
 */
export async function runJobs(opts: JobsOptions): Promise<JobsOutcome> {
  let backend: JobsOutcome['backend'] = null;
  const processes: ChildProcess[] = [];
  const exits = Array.from({ length: opts.jobs }, (_, i) => {
    // Node's own flags (e.g. --experimental-wasm-relaxed-simd, --max-old-space-size) carry over.
    const child = spawn(process.execPath, [...process.execArgv, opts.cliPath, ...jobArgs(opts.argv, i, opts.jobs, opts.threads)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    processes.push(child);
    const prefix = `[job ${i}/${opts.jobs}] `;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (line.trim() === '') return;
        const m = i === 0 && backend === null ? BACKEND_LINE.exec(line) : null;
        if (m) backend = { name: m[1]!, reason: m[2]! };
        opts.err.write(`${prefix}${line}\n`);
      });
    }
    return new Promise<number>((resolveExit) => {
      child.on('error', (e) => {
        opts.err.write(`${prefix}could not start: ${e.message}\n`);
        resolveExit(127);
      });
      child.on('close', (code, signal) => resolveExit(code ?? (signal ? 128 : 1)));
    });
  });
  const stop = (): void => {
    for (const child of processes) if (child.exitCode === null) child.kill('SIGTERM');
  };
  if (opts.signal?.aborted) stop();
  opts.signal?.addEventListener('abort', stop, { once: true });
  try {
    const exitCodes = await Promise.all(exits);
    return { exitCodes, backend };
  } finally {
    opts.signal?.removeEventListener('abort', stop);
  }
}
