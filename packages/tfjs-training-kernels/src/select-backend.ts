import { getBackend, setBackend } from '@tensorflow/tfjs-core';

/** The outcome of a backend selection. */
export interface BackendSelection {
  /** tfjs backend name now active (`tf.getBackend()`), e.g. `'tensorflow'`, `'wasm'`, `'cpu'`. */
  backend: string;
  /** Why this backend was picked, and why the ones before it in the order were not. */
  reason: string;
  /** Threads the backend computes with (wasm: XNNPACK's pool size; cpu: 1; tensorflow: cores). */
  threads: number;
  /** Every candidate tried, in order, with the error that ruled it out (`null` for the one picked). */
  attempts: { backend: string; error: string | null }[];
}

/** One candidate backend: loads its package(s), prepares it, and returns the reason it is usable. */
export interface BackendCandidate {
  /** tfjs backend name the candidate registers, e.g. `'wasm'`. */
  name: string;
  /** Imports the package(s) and registers kernels; throws (with a clear message) if unusable. */
  load(): Promise<string>;
  /** Threads used once active. */
  threads(): number;
  /** Called after `tf.setBackend(name)` settles, whether it succeeded or not. */
  afterInit?(): void;
}

/** Error text of anything thrown. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0]!;
  if (typeof e === 'object' && e !== null && 'message' in e) return String((e as { message: unknown }).message);
  return String(e);
}

/**
 * Tries `candidates` in order and activates the first that loads and initialises
 * (`tf.setBackend(name)` resolves to true). Throws, listing every failure, if none does.
 */
export async function selectBackend(candidates: BackendCandidate[], label: string): Promise<BackendSelection> {
  const attempts: BackendSelection['attempts'] = [];
  for (const c of candidates) {
    try {
      const why = await c.load();
      let ok: boolean;
      try {
        ok = await setBackend(c.name);
      } finally {
        c.afterInit?.();
      }
      if (!ok || getBackend() !== c.name) throw new Error(`tf.setBackend('${c.name}') failed to initialise`);
      attempts.push({ backend: c.name, error: null });
      const skipped = attempts.filter((a) => a.error !== null).map((a) => `${a.backend}: ${a.error}`);
      const reason = skipped.length > 0 ? `${why} (skipped ${skipped.join('; ')})` : why;
      return { backend: c.name, reason, threads: c.threads(), attempts };
    } catch (e) {
      attempts.push({ backend: c.name, error: describeError(e) });
    }
  }
  throw new Error(
    `${label}: no backend could be initialised: ` + attempts.map((a) => `${a.backend}: ${a.error}`).join('; '),
  );
}
