import type { core } from 'zod';
import { describeValue } from './describe-value';

type RawIssue = core.$ZodRawIssue;
type FinalIssue = core.$ZodIssue;

/** The parts of a zod schema's definition read here (zod 4 core, `schema._zod.def`). */
interface DefView {
  type?: string;
  checks?: readonly unknown[];
  shape?: Record<string, unknown>;
  items?: readonly unknown[];
  check?: string;
  value?: unknown;
  inclusive?: boolean;
  format?: string;
}

function defOf(x: unknown): DefView | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const zod = (x as { _zod?: { def?: unknown } })._zod;
  const def = zod?.def;
  return typeof def === 'object' && def !== null ? (def as DefView) : undefined;
}

const INT_FORMATS = new Set(['int', 'safeint', 'int32', 'uint32', 'int64', 'uint64']);

interface Bound {
  value: number | bigint;
  inclusive: boolean;
}

/** `an integer` / `a number`, with the schema's bounds: `>= 0`, `> 0`, `in [0, 1]`, `in [0, 1)`. */
function numberPhrase(schema: unknown, fallback?: { side: 'min' | 'max'; bound: Bound }): string {
  const def = defOf(schema);
  let int = false;
  let lo: Bound | undefined;
  let hi: Bound | undefined;
  if (def?.type === 'number' || def?.type === 'bigint') {
    for (const c of def.checks ?? []) {
      const cd = defOf(c);
      if (cd === undefined) continue;
      if (cd.check === 'number_format' && cd.format !== undefined && INT_FORMATS.has(cd.format)) int = true;
      const v = cd.value;
      if (typeof v !== 'number' && typeof v !== 'bigint') continue;
      const b = { value: v, inclusive: cd.inclusive === true };
      if (cd.check === 'greater_than' && (lo === undefined || v >= lo.value)) lo = b;
      if (cd.check === 'less_than' && (hi === undefined || v <= hi.value)) hi = b;
    }
  }
  if (fallback?.side === 'min' && lo === undefined) lo = fallback.bound;
  if (fallback?.side === 'max' && hi === undefined) hi = fallback.bound;
  const kind = int ? 'an integer' : 'a number';
  if (lo !== undefined && hi !== undefined) {
    return `${kind} in ${lo.inclusive ? '[' : '('}${String(lo.value)}, ${String(hi.value)}${hi.inclusive ? ']' : ')'}`;
  }
  if (lo !== undefined) return `${kind} ${lo.inclusive ? '>=' : '>'} ${String(lo.value)}`;
  if (hi !== undefined) return `${kind} ${hi.inclusive ? '<=' : '<'} ${String(hi.value)}`;
  return kind;
}

const ARTICLE_AN = /^[aeiou]/i;

/** `a string`, `an object`, `an integer`, `a RegExp` for zod's `expected` names. */
function typePhrase(expected: string): string {
  if (expected === 'int') return 'an integer';
  if (expected === 'nan') return 'NaN';
  if (['undefined', 'null', 'never', 'void'].includes(expected)) return expected;
  return `${ARTICLE_AN.test(expected) ? 'an' : 'a'} ${expected}`;
}

function plural(n: number | bigint, word: string): string {
  return `${String(n)} ${word}${n === 1 || n === 1n ? '' : 's'}`;
}

/** `at least 3 items`, `exactly 3 items`, `at most 2 characters`. */
function sizePhrase(issue: { minimum?: number | bigint; maximum?: number | bigint; inclusive?: boolean; exact?: boolean }, unit: string): string {
  const small = issue.minimum !== undefined;
  const raw = small ? issue.minimum! : issue.maximum!;
  const n = issue.inclusive === false ? (small ? Number(raw) + 1 : Number(raw) - 1) : raw;
  return `${issue.exact === true ? 'exactly' : small ? 'at least' : 'at most'} ${plural(n, unit)}`;
}

function listValues(values: readonly unknown[]): string {
  return values.length === 1 ? describeValue(values[0]) : `one of ${values.map(describeValue).join(', ')}`;
}

/** What an alternative of a union expected, when zod says it plainly (one issue at the union's own path). */
function alternativePhrase(issues: readonly FinalIssue[]): string | undefined {
  if (issues.length !== 1) return undefined;
  const i = issues[0]!;
  if (i.path.length !== 0) return undefined;
  if (i.code === 'invalid_value') return listValues(i.values);
  if (i.code === 'invalid_type') return typePhrase(i.expected);
  return undefined;
}

function expectation(issue: RawIssue): string | undefined {
  const schema = issue.schema ?? issue.inst;
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'number' || issue.expected === 'int' || issue.expected === 'bigint') return numberPhrase(schema);
      return typePhrase(issue.expected);
    case 'too_small':
    case 'too_big': {
      const side = issue.code === 'too_small' ? 'min' : 'max';
      const value = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') {
        return numberPhrase(schema, { side, bound: { value, inclusive: issue.inclusive !== false } });
      }
      if (issue.origin === 'string') return `a string of ${sizePhrase(issue, 'character')}`;
      if (issue.origin === 'array' || issue.origin === 'set') {
        const tuple = defOf(schema);
        if (tuple?.type === 'tuple' && tuple.items !== undefined) return `an array of exactly ${plural(tuple.items.length, 'item')}`;
        return `${issue.origin === 'set' ? 'a set' : 'an array'} of ${sizePhrase(issue, 'item')}`;
      }
      return `${typePhrase(issue.origin)} ${side === 'min' ? '>=' : '<='} ${String(value)}`;
    }
    case 'invalid_format':
      if (issue.format === 'regex' && issue.pattern !== undefined) return `a string matching ${issue.pattern}`;
      if (issue.format === 'starts_with' && 'prefix' in issue) return `a string starting with ${describeValue(issue.prefix)}`;
      if (issue.format === 'ends_with' && 'suffix' in issue) return `a string ending with ${describeValue(issue.suffix)}`;
      if (issue.format === 'includes' && 'includes' in issue) return `a string containing ${describeValue(issue.includes)}`;
      return `a valid ${issue.format}`;
    case 'not_multiple_of':
      return `a multiple of ${String(issue.divisor)}`;
    case 'invalid_value':
      return listValues(issue.values);
    case 'invalid_union': {
      if (issue.discriminator !== undefined && 'options' in issue && Array.isArray(issue.options)) return listValues(issue.options);
      const alone = issue.errors.map((alt) => (alt.length === 1 && alt[0]!.path.length === 0 ? alt[0]! : undefined));
      if (alone.length > 0 && alone.every((i) => i?.code === 'invalid_value')) {
        return listValues(alone.flatMap((i) => (i?.code === 'invalid_value' ? i.values : [])));
      }
      const phrases = issue.errors.map(alternativePhrase);
      if (phrases.length > 0 && phrases.every((p) => p !== undefined)) return [...new Set(phrases)].join(' or ');
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The value an issue is about: for a discriminator, the discriminator's value, not the whole object. */
function receivedValue(issue: RawIssue): unknown {
  if (issue.code === 'invalid_union' && issue.discriminator !== undefined) {
    const input = issue.input;
    return typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[issue.discriminator] : input;
  }
  return issue.input;
}

/**
 * The zod error map behind {@link parseOptions}: every message reads `expected <what>, got <value>`
 * (`expected a number >= 0, got -1`, `expected one of "paper", "notebook", got "tiny"`,
 * `expected an integer in [1, 64], got 0`), a missing option reads `is required`, an unknown key
 * `unknown option (known: a, b)`. A schema's own `error` wins over it.
 */
export const optionsErrorMap: core.$ZodErrorMap = (issue) => {
  if (issue.code === 'unrecognized_keys') {
    const shape = defOf(issue.inst)?.shape;
    const known = shape === undefined ? [] : Object.keys(shape);
    return known.length > 0 ? `unknown option (known: ${known.join(', ')})` : 'unknown option';
  }
  const received = receivedValue(issue);
  if (issue.code === 'invalid_type' && received === undefined && issue.expected !== 'undefined') return 'is required';
  const what = expectation(issue);
  return `${what === undefined ? 'is not valid' : `expected ${what}`}, got ${describeValue(received)}`;
};
