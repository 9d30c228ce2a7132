/** Validates backend-selection options; errors name the function and the offending option. */
export function checkBackendOptions(fn: string, options: Record<string, unknown>, allowed: readonly string[]): void {
  if (typeof options !== 'object' || options === null) throw new Error(`${fn}: options must be an object`);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new Error(`${fn}: unknown option '${key}' (allowed: ${allowed.join(', ')})`);
  }
  const t = options.threads;
  if (t !== undefined && !(typeof t === 'number' && Number.isInteger(t) && t >= 1)) {
    throw new Error(`${fn}: option 'threads' must be a positive integer; got ${String(t)}`);
  }
  if (options.importModule !== undefined && typeof options.importModule !== 'function') {
    throw new Error(`${fn}: option 'importModule' must be a function`);
  }
  if (options.probeWebGl !== undefined && typeof options.probeWebGl !== 'function') {
    throw new Error(`${fn}: option 'probeWebGl' must be a function`);
  }
}

