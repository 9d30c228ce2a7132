/**
 * tfjs-backend-wasm caps its XNNPACK pool at `navigator.hardwareConcurrency / 2` (read once, while
 * the wasm module instantiates). To use `threads` threads, report `2 * threads` logical cores for
 * the duration of the initialisation; the returned function restores the real value.
 *
 * Only effective on a cross-origin isolated page (otherwise tfjs loads the single-threaded build).
 */
export function raiseBrowserThreadCap(threads: number, nav: object | undefined = (globalThis as { navigator?: object }).navigator): () => void {
  if (nav === undefined || threads <= 1) return () => undefined;
  const current = (nav as { hardwareConcurrency?: number }).hardwareConcurrency ?? 1;
  if (current >= 2 * threads) return () => undefined;
  const own = Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency');
  try {
    Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => 2 * threads });
  } catch {
    return () => undefined; // non-configurable: keep tfjs's cap
  }
  return () => {
    if (own) Object.defineProperty(nav, 'hardwareConcurrency', own);
    else delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  };
}
