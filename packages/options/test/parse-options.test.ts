import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OptionsError, expectedValue, parseOptions } from '../src/index';

/** The message `parseOptions` throws for `value`, or a failure when it does not throw. */
function messageOf(schema: z.ZodType, value: unknown, where = 'f()'): string {
  try {
    parseOptions(schema, value, where);
  } catch (e) {
    expect(e).toBeInstanceOf(OptionsError);
    return (e as OptionsError).message;
  }
  throw new Error(`parseOptions accepted ${String(value)}`);
}

const lambda = z.number().min(0);

describe('parseOptions', () => {
  it('returns the parsed value with defaults filled in', () => {
    expect(parseOptions(z.object({ l1: lambda.default(0), l2: lambda.default(0) }), { l2: 2 }, 'f()')).toEqual({ l1: 0, l2: 2 });
  });

  it('names the function, the dotted option and the value it got', () => {
    expect(messageOf(z.object({ l1: lambda }), { l1: -1 }, 'penalty()')).toBe("penalty(): option 'l1': expected a number >= 0, got -1");
    expect(messageOf(z.object({ a: z.object({ b: z.array(lambda) }) }), { a: { b: [1, -2] } })).toBe("f(): option 'a.b.1': expected a number >= 0, got -2");
  });

  it('words number bounds from the whole schema, NaN and Infinity included', () => {
    const unit = z.number().min(0).max(1);
    expect(messageOf(z.object({ r: unit }), { r: 1.5 })).toBe("f(): option 'r': expected a number in [0, 1], got 1.5");
    expect(messageOf(z.object({ r: unit }), { r: Number.NaN })).toBe("f(): option 'r': expected a number in [0, 1], got NaN");
    expect(messageOf(z.object({ r: z.number().min(0).lt(1) }), { r: 1 })).toBe("f(): option 'r': expected a number in [0, 1), got 1");
    expect(messageOf(z.object({ l: lambda }), { l: Infinity })).toBe("f(): option 'l': expected a number >= 0, got Infinity");
    expect(messageOf(z.object({ n: z.number().int().positive() }), { n: 0 })).toBe("f(): option 'n': expected an integer > 0, got 0");
    expect(messageOf(z.object({ n: z.number().int().min(1) }), { n: 1.5 })).toBe("f(): option 'n': expected an integer >= 1, got 1.5");
    expect(messageOf(z.object({ n: z.number().int().min(1).max(64) }), { n: 65 })).toBe("f(): option 'n': expected an integer in [1, 64], got 65");
  });

  it('words types, enums, literals, unions and discriminators', () => {
    expect(messageOf(z.object({ s: z.string() }), { s: 3 })).toBe("f(): option 's': expected a string, got 3");
    expect(messageOf(z.object({ v: z.enum(['paper', 'notebook']) }), { v: 'tiny' })).toBe(
      `f(): option 'v': expected one of "paper", "notebook", got "tiny"`,
    );
    expect(messageOf(z.object({ d: z.union([z.literal(18), z.literal(34)]) }), { d: 50 })).toBe("f(): option 'd': expected one of 18, 34, got 50");
    expect(messageOf(z.object({ d: z.union([z.string(), z.instanceof(RegExp)]) }), { d: [1] })).toBe("f(): option 'd': expected a string or a RegExp, got [1]");
    const spec = z.discriminatedUnion('kind', [z.object({ kind: z.literal('constant') }), z.object({ kind: z.literal('warmup'), n: z.number() })]);
    expect(messageOf(spec, { kind: 'cosine' })).toBe(`f(): option 'kind': expected one of "constant", "warmup", got "cosine"`);
    expect(messageOf(spec, { kind: 'warmup', n: 'x' })).toBe(`f(): option 'n': expected a number, got "x"`);
  });

  it('words strings, arrays and tuples by size', () => {
    expect(messageOf(z.object({ s: z.string().min(1) }), { s: '' })).toBe(`f(): option 's': expected a string of at least 1 character, got ""`);
    expect(messageOf(z.object({ s: z.string().regex(/^[0-9a-f]{64}$/) }), { s: 'abc' })).toBe(`f(): option 's': expected a string matching /^[0-9a-f]{64}$/, got "abc"`);
    expect(messageOf(z.object({ m: z.array(z.string()).min(1) }), { m: [] })).toBe("f(): option 'm': expected an array of at least 1 item, got []");
    const shape = z.tuple([z.number(), z.number(), z.number()]);
    expect(messageOf(z.object({ t: shape }), { t: [64, 64] })).toBe("f(): option 't': expected an array of exactly 3 items, got [64, 64]");
  });

  it('reports a missing option, every unknown key with the known ones, and a non-object', () => {
    expect(messageOf(z.object({ a: lambda, b: lambda }), { b: 1 })).toBe("f(): option 'a': is required");
    const err = (() => {
      try {
        parseOptions(z.object({ l1: lambda, l2: lambda.optional() }).strict(), { l1: 1, l3: 1, x: 2 }, 'penalty()');
      } catch (e) {
        return e as OptionsError;
      }
      throw new Error('accepted unknown keys');
    })();
    expect(err.message).toBe("penalty(): option 'l3': unknown option (known: l1, l2); option 'x': unknown option (known: l1, l2)");
    expect(err.issues.map((i) => i.option)).toEqual(['l3', 'x']);
    expect(messageOf(z.object({ l1: lambda }), 0.1)).toBe('f(): options: expected an object, got 0.1');
  });

  it('keeps a schema-level message, and expectedValue words a custom check in the same shape', () => {
    const isModel = (v: unknown): boolean => typeof v === 'object' && v !== null && 'predict' in v;
    expect(messageOf(z.object({ m: z.custom(isModel, { error: expectedValue('a tf.LayersModel') }) }), { m: 7 })).toBe(
      "f(): option 'm': expected a tf.LayersModel, got 7",
    );
    expect(messageOf(z.object({ m: z.custom(isModel, { error: expectedValue('a tf.LayersModel') }) }), {})).toBe("f(): option 'm': is required");
    expect(messageOf(z.object({ m: z.number().refine((x) => x % 2 === 0, { error: 'must be even' }) }), { m: 3 })).toBe("f(): option 'm': must be even");
    expect(messageOf(z.object({ m: z.number().refine((x) => x % 2 === 0) }), { m: 3 })).toBe("f(): option 'm': is not valid, got 3");
  });

  it('collects every bad option in one error, first one in .option', () => {
    try {
      parseOptions(z.object({ a: lambda, b: z.string() }), { a: -1, b: 1 }, 'f()');
      expect.unreachable();
    } catch (e) {
      const err = e as OptionsError;
      expect(err.option).toBe('a');
      expect(err.issues).toEqual([
        { option: 'a', message: 'expected a number >= 0, got -1' },
        { option: 'b', message: 'expected a string, got 1' },
      ]);
      expect(err.message).toBe("f(): option 'a': expected a number >= 0, got -1; option 'b': expected a string, got 1");
    }
  });
});
