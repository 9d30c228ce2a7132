/**
 * A minimal WebAssembly binary encoder: just what the GEMM generator needs (i32 / f32 / v128
 * locals, structured control flow, memory loads and stores, a few SIMD128 arithmetic ops) and a
 * module with one imported memory (`env.memory`) and exported functions.
 *
 * Format reference: the WebAssembly core specification 2.0, "Binary Format" (sections, LEB128
 * integers, instruction opcodes) and the SIMD / relaxed-SIMD proposals' opcode tables.
 */

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof V128;

/** Unsigned LEB128 of a non-negative integer below 2^32. */
export function uleb(n: number): number[] {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`wasm-encoder: uleb of ${n}`);
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of an integer in [-2^31, 2^31). */
export function sleb(n: number): number[] {
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) throw new Error(`wasm-encoder: sleb of ${n}`);
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const utf8 = (s: string): number[] => [...new TextEncoder().encode(s)];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const named = (s: string): number[] => [...uleb(utf8(s).length), ...utf8(s)];

/** A local variable index (the function's parameters come first). */
export type Local = number;

/**
 * One function body under construction. Methods append instructions and return `this`, so code
 * reads as a stack-machine listing; {@link Fn.local} declares a new local.
 */
export class Fn {
  private readonly bytes: number[] = [];
  private readonly extraLocals: ValType[] = [];

  constructor(
    readonly name: string,
    readonly params: readonly ValType[],
    readonly results: readonly ValType[] = [],
  ) {}

  /** Declares a local of type `t` and returns its index. */
  local(t: ValType): Local {
    this.extraLocals.push(t);
    return this.params.length + this.extraLocals.length - 1;
  }

  /** Raw bytes (an opcode and its immediates). */
  op(...b: number[]): this {
    for (const x of b) this.bytes.push(x);
    return this;
  }

  /** A SIMD instruction (prefix 0xfd, LEB128 opcode `code`) and its immediates. */
  simd(code: number, ...imm: number[]): this {
    return this.op(0xfd, ...uleb(code), ...imm);
  }

  // control
  block(): this { return this.op(0x02, 0x40); }
  loop(): this { return this.op(0x03, 0x40); }
  if_(): this { return this.op(0x04, 0x40); }
  else_(): this { return this.op(0x05); }
  end(): this { return this.op(0x0b); }
  br(depth: number): this { return this.op(0x0c, ...uleb(depth)); }
  brIf(depth: number): this { return this.op(0x0d, ...uleb(depth)); }
  /** `for (i = 0; i < end; i++) body()` with signed compares (`i`, `end`: i32 locals). */
  forRange(i: Local, end: Local, body: () => void): this {
    this.i32(0).set(i);
    this.block().loop();
    this.get(i).get(end).geS().brIf(1);
    body();
    this.inc(i, 1).br(0);
    return this.end().end();
  }
  /** `for (; p < end; p += step) body()` with signed compares (`p`, `end`: i32 locals, e.g. byte offsets). */
  stepLoop(p: Local, end: Local, step: number, body: () => void): this {
    this.block().loop();
    this.get(p).get(end).geS().brIf(1);
    body();
    this.inc(p, step).br(0);
    return this.end().end();
  }
  /** Calls function `index` (module function index space; this encoder imports no functions). */
  call(index: number): this { return this.op(0x10, ...uleb(index)); }

  // locals and constants
  get(l: Local): this { return this.op(0x20, ...uleb(l)); }
  set(l: Local): this { return this.op(0x21, ...uleb(l)); }
  tee(l: Local): this { return this.op(0x22, ...uleb(l)); }
  i32(v: number): this { return this.op(0x41, ...sleb(v)); }
  f32(v: number): this {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    return this.op(0x43, ...b);
  }

  // i32 arithmetic and comparisons
  add(): this { return this.op(0x6a); }
  sub(): this { return this.op(0x6b); }
  mul(): this { return this.op(0x6c); }
  eqz(): this { return this.op(0x45); }
  eq(): this { return this.op(0x46); }
  ne(): this { return this.op(0x47); }
  ltS(): this { return this.op(0x48); }
  ltU(): this { return this.op(0x49); }
  gtS(): this { return this.op(0x4a); }
  leS(): this { return this.op(0x4c); }
  geS(): this { return this.op(0x4e); }
  and(): this { return this.op(0x71); }
  or(): this { return this.op(0x72); }
  /** Pushes `min(x, y)` (signed) of two locals. */
  minS(x: Local, y: Local): this { return this.get(x).get(y).get(x).get(y).ltS().select(); }
  select(): this { return this.op(0x1b); }

  /** `local += delta` (i32). */
  inc(l: Local, delta: number | Local, deltaIsLocal = false): this {
    this.get(l);
    if (deltaIsLocal) this.get(delta);
    else this.i32(delta);
    return this.add().set(l);
  }

  // memory (memarg: log2 alignment hint, constant byte offset)
  f32Load(offset = 0): this { return this.op(0x2a, 2, ...uleb(offset)); }
  f32Store(offset = 0): this { return this.op(0x38, 2, ...uleb(offset)); }
  v128Load(offset = 0): this { return this.simd(0x00, 4, ...uleb(offset)); }
  v128Store(offset = 0): this { return this.simd(0x0b, 4, ...uleb(offset)); }
  /** `v128.load32_splat`: one f32 from memory broadcast to 4 lanes. */
  v128Load32Splat(offset = 0): this { return this.simd(0x09, 2, ...uleb(offset)); }

  /**
   * `i8x16.shuffle` expressed on 32-bit lanes: result lane `i` is lane `lanes[i]` of the
   * concatenation (first operand lanes 0-3, second 4-7).
   */
  shuffle32(lanes: readonly [number, number, number, number]): this {
    const bytes = lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]);
    return this.simd(0x0d, ...bytes);
  }

  // f32 / v128
  f32Add(): this { return this.op(0x92); }
  f32Mul(): this { return this.op(0x94); }
  /** `f32.convert_i32_s`: the f32 nearest the signed i32 on the stack. */
  f32ConvertI32S(): this { return this.op(0xb2); }
  /** `f32.reinterpret_i32`: the f32 whose bits are the i32 on the stack. */
  f32ReinterpretI32(): this { return this.op(0xbe); }
  v128Zero(): this { return this.simd(0x0c, ...new Array<number>(16).fill(0)); }
  f32x4Splat(): this { return this.simd(0x13); }
  f32x4Add(): this { return this.simd(0xe4); }
  f32x4Sub(): this { return this.simd(0xe5); }
  f32x4Neg(): this { return this.simd(0xe1); }
  f32x4Mul(): this { return this.simd(0xe6); }
  /** `f32x4.relaxed_madd(a, b, c) = a * b + c` (fused or not: implementation-defined rounding). */
  f32x4RelaxedMadd(): this { return this.simd(0x105); }

  /** The encoded body: local declarations (run-length grouped) then the code, then `end`. */
  encode(): number[] {
    const groups: number[][] = [];
    let i = 0;
    while (i < this.extraLocals.length) {
      let j = i;
      while (j < this.extraLocals.length && this.extraLocals[j] === this.extraLocals[i]) j++;
      groups.push([...uleb(j - i), this.extraLocals[i]!]);
      i = j;
    }
    const body = [...vec(groups), ...this.bytes, 0x0b];
    return [...uleb(body.length), ...body];
  }
}

/** How the module imports `env.memory`. */
export interface MemoryImport {
  /** A shared memory (the threaded wasm build's); needs `maximumPages`. */
  shared: boolean;
  /** Minimum pages the import asks for (the memory may be larger). */
  minimumPages: number;
  /** Declared maximum in 64 KiB pages; required when shared (65536 = 4 GiB accepts any memory). */
  maximumPages?: number;
}

/**
 * The bytes of a module `(import "env" "memory" (memory ...))` with the given functions, each
 * exported under its name. Sections: type (1), import (2), function (3), export (7), code (10).
 */
export function encodeModule(fns: readonly Fn[], memory: MemoryImport): Uint8Array<ArrayBuffer> {
  const section = (id: number, content: number[]): number[] => [id, ...uleb(content.length), ...content];
  const types = fns.map((f) => [0x60, ...uleb(f.params.length), ...f.params, ...uleb(f.results.length), ...f.results]);
  let limits: number[];
  if (memory.shared) {
    if (memory.maximumPages === undefined) throw new Error('wasm-encoder: a shared memory import needs maximumPages');
    limits = [0x03, ...uleb(memory.minimumPages), ...uleb(memory.maximumPages)];
  } else if (memory.maximumPages !== undefined) {
    limits = [0x01, ...uleb(memory.minimumPages), ...uleb(memory.maximumPages)];
  } else {
    limits = [0x00, ...uleb(memory.minimumPages)];
  }
  const imports = [[...named('env'), ...named('memory'), 0x02, ...limits]];
  const funcs = fns.map((_, i) => uleb(i));
  const exports = fns.map((f, i) => [...named(f.name), 0x00, ...uleb(i)]);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(funcs)),
    ...section(7, vec(exports)),
    ...section(10, vec(fns.map((f) => f.encode()))),
  ];
  return new Uint8Array(bytes);
}
