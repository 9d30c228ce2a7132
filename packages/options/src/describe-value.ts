const MAX_STRING = 40;
const MAX_ITEMS = 6;

function isShortPrimitive(v: unknown): boolean {
  return v === null || v === undefined || ['number', 'bigint', 'boolean', 'string'].includes(typeof v);
}

/**
 * A short, human-readable rendering of a value for error messages: numbers as written (`-1`,
 * `NaN`, `Infinity`), strings quoted (`"biases"`, cut after 40 characters), short arrays of
 * primitives inline (`[64, 64]`), everything else by kind (`an object`, `a function`,
 * `an array of 300 items`). Never calls user code (no `toString`, no getters).
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'boolean' || value === undefined || value === null) return String(value);
  if (typeof value === 'string') {
    return JSON.stringify(value.length > MAX_STRING ? `${value.slice(0, MAX_STRING - 3)}...` : value);
  }
  if (typeof value === 'symbol') return value.description === undefined ? 'a symbol' : `Symbol(${value.description})`;
  if (typeof value === 'function') return 'a function';
  if (value instanceof RegExp) return `/${value.source}/${value.flags}`;
  if (Array.isArray(value)) {
    if (value.length <= MAX_ITEMS && value.every(isShortPrimitive)) return `[${value.map(describeValue).join(', ')}]`;
    return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  }
  return 'an object';
}
