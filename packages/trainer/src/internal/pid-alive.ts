/**
 * True when a process with this id exists on this machine (`process.kill(pid, 0)` succeeds, or
 * fails with EPERM: it exists but belongs to another user); false when it fails with ESRCH.
 */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** The pid that `writeAtomic` puts into a temporary file's name (`<file>.tmp-<pid>-<ms>[-<n>]`), or null. */
export function tempFilePid(name: string): number | null {
  const m = /\.tmp-(\d+)-\d+(?:-\d+)?$/.exec(name);
  return m ? Number(m[1]) : null;
}

/**
 * True for a temporary file of `writeAtomic` that this process may delete: its own (`ownPid`),
 * or one whose writer is no longer alive on this machine. Another live process's in-flight temp
 * file is left alone.
 */
export function isRemovableTempFile(name: string, ownPid: number = process.pid): boolean {
  const pid = tempFilePid(name);
  if (pid === null) return false;
  return pid === ownPid || !pidAlive(pid);
}
