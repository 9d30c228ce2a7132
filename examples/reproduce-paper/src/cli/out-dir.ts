import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CliError } from './args';

/** The nearest of `dir` and its parents that exists (the root at worst). */
function nearestExisting(dir: string): { path: string; isDirectory: boolean } {
  for (let p = dir; ; p = dirname(p)) {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p, { throwIfNoEntry: false });
    } catch {
      st = undefined; // ENOTDIR: a parent is a file; look further up
    }
    if (st) return { path: p, isDirectory: st.isDirectory() };
    if (dirname(p) === p) return { path: p, isDirectory: true };
  }
}

/**
 * Makes sure the results folder can be used before anything slow starts (backend, data): creates
 * it and writes and removes a probe file in it.
 * @throws CliError naming `--out` and the path: a file in the way, or a folder that cannot be written
 */
export function checkOutDir(dir: string): void {
  const blocker = nearestExisting(dir);
  if (!blocker.isDirectory) {
    throw new CliError(blocker.path === dir ? `--out: ${dir} is a file, not a folder` : `--out: cannot create ${dir}: ${blocker.path} is a file, not a folder`);
  }
  const probe = join(dir, `.write-test-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
    throw new CliError(`--out: ${dir} is not a writable folder (${code}); pass --out with a folder you can write`);
  }
}
