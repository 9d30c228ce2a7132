/** The part of `@tensorflow/tfjs-backend-wasm`'s API that backend selection uses. */
export interface WasmBackendModule {
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
  setWasmPaths(prefixOrFileMap: string | Record<string, string>, usePlatformFetch?: boolean): void;
}

/** Narrows an imported module to {@link WasmBackendModule}, or throws naming the package. */
export function asWasmModule(m: unknown): WasmBackendModule {
  const mod = (m as { default?: unknown })?.default ?? m;
  const w = (typeof (m as WasmBackendModule)?.setThreadsCount === 'function' ? m : mod) as Partial<WasmBackendModule>;
  if (typeof w.setThreadsCount !== 'function' || typeof w.getThreadsCount !== 'function') {
    throw new Error(`'@tensorflow/tfjs-backend-wasm' did not export setThreadsCount/getThreadsCount (need ^4.22.0)`);
  }
  return w as WasmBackendModule;
}
