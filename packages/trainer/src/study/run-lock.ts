import { nodeModules, tempNameFor } from '../internal/node-fs';
import { pidAlive } from '../internal/pid-alive';

/** Who holds a run's lock: the content of `<runDir>/lock`. */
export interface RunLockHolder {
  pid: number;
  hostname: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  /** Random per acquisition, so that two holders in one process are told apart. */
  token: string;
}

/** The outcome of {@link acquireRunLock}. */
export type RunLockResult =
  | { acquired: true; release: () => Promise<void>; /** A lock left by a dead process that was taken over. */ tookOver?: RunLockHolder }
  | { acquired: false; holder: RunLockHolder };

const LOCK = 'lock';
/** A takeover guard older than this (ms) was left by a process killed mid-takeover. */
const STALE_GUARD_MS = 30_000;

async function readHolder(file: string): Promise<RunLockHolder | null> {
  const { fs } = await nodeModules();
  try {
    const h = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<RunLockHolder>;
    if (typeof h.pid !== 'number' || typeof h.hostname !== 'string' || typeof h.token !== 'string') return null;
    return { pid: h.pid, hostname: h.hostname, startedAt: String(h.startedAt ?? ''), token: h.token };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return null;
  }
}

/** Creates `file` with `content` only if it does not exist; the content is complete once visible (write a temp file, then link). */
async function createExclusive(file: string, content: string): Promise<boolean> {
  const { fs } = await nodeModules();
  const tmp = tempNameFor(file);
  await fs.writeFile(tmp, content, { flag: 'wx' });
  try {
    await fs.link(tmp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/**
 * Takes the lock of one run directory: `<runDir>/lock`, created exclusively, holding
 * {@link RunLockHolder} (pid, hostname, start time, token). When the lock exists and its holder is
 * on this host and no longer alive (`process.kill(pid, 0)` fails with ESRCH), it is taken over
 * (`tookOver` names the dead holder); a live holder, or one on another host (whose liveness cannot
 * be checked), keeps it and `acquired` is false. `release()` deletes the lock if it is still this
 * acquisition's (compared by token); call it in a `finally`.
 */
export async function acquireRunLock(runDir: string): Promise<RunLockResult> {
  const { fs, path } = await nodeModules();
  const os = await import('node:os');
  const file = path.join(runDir, LOCK);
  const me: RunLockHolder = {
    pid: process.pid,
    hostname: os.hostname(),
    startedAt: new Date().toISOString(),
    token: `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  };
  const release = async () => {
    const now = await readHolder(file);
    if (now?.token === me.token) await fs.rm(file, { force: true });
  };
  const content = `${JSON.stringify(me, null, 2)}\n`;
  if (await createExclusive(file, content)) return { acquired: true, release };

  const holder = await readHolder(file);
  if (holder && (holder.hostname !== me.hostname || pidAlive(holder.pid))) return { acquired: false, holder };
  // Dead holder (or an unreadable lock): take it over under a guard, so that two processes
  // finding the same stale lock cannot both take it.
  const guard = `${file}.takeover`;
  const guardStat = await fs.stat(guard).catch(() => null);
  if (guardStat && Date.now() - guardStat.mtimeMs > STALE_GUARD_MS) await fs.rm(guard, { force: true });
  if (!(await createExclusive(guard, content))) {
    const other = (await readHolder(guard)) ?? holder ?? { pid: -1, hostname: '?', startedAt: '', token: '' };
    return { acquired: false, holder: other };
  }
  try {
    const again = await readHolder(file);
    if (again && again.token !== holder?.token && (again.hostname !== me.hostname || pidAlive(again.pid))) {
      return { acquired: false, holder: again };
    }
    await fs.rm(file, { force: true });
    if (!(await createExclusive(file, content))) {
      const now = await readHolder(file);
      return { acquired: false, holder: now ?? { pid: -1, hostname: '?', startedAt: '', token: '' } };
    }
    return { acquired: true, release, ...(holder ? { tookOver: holder } : {}) };
  } finally {
    await fs.rm(guard, { force: true });
  }
}

/** `pid 123 on host-a since 2026-12-07T23:00:00.000Z` */
export const describeHolder = (h: RunLockHolder): string => `pid ${h.pid} on ${h.hostname}${h.startedAt ? ` since ${h.startedAt}` : ''}`;
