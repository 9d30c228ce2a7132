import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_POOL_GRAD_WASM_FLAG } from '../src/wasm/flags';
import { createNodeThreadedGemm } from '../src/wasm/runtime/node-gemm-threads';
import { MAX_POOL_GRAD_EXPORT, maxPoolGradFn, type MaxPoolGrad } from '../src/wasm/codegen/max-pool-grad-kernel';
import { MAX_POOL_GRAD_MIN_PARALLEL } from '../src/wasm/runtime/threaded-gemm';
import { encodeModule } from '../src/wasm/codegen/wasm-encoder';
import { onBackend, randomValues, relativeError, setUpCpuAndWasm } from './helpers/backends';
import { poolInput, poolInputKinds } from './helpers/pool-inputs';

type Pad = 'same' | 'valid';
interface Geo { n: number; h: number; w: number; c: number; kh: number; kw: number; sh: number; sw: number; pad: Pad }

/** Output size and top / left padding as tfjs computes them for 'same' / 'valid'. */
function dims(g: Geo): { ho: number; wo: number; pt: number; pl: number } {
  if (g.pad === 'valid') return { ho: Math.ceil((g.h - g.kh + 1) / g.sh), wo: Math.ceil((g.w - g.kw + 1) / g.sw), pt: 0, pl: 0 };
  const ho = Math.ceil(g.h / g.sh);
  const wo = Math.ceil(g.w / g.sw);
  const padH = Math.max(0, (ho - 1) * g.sh + g.kh - g.h);
  const padW = Math.max(0, (wo - 1) * g.sw + g.kw - g.w);
  return { ho, wo, pt: Math.floor(padH / 2), pl: Math.floor(padW / 2) };
}

/**
 * Reference written independently of the kernel: per window and channel, the first position
 * (row-major, inside x) strictly greater than all earlier ones from -Infinity gets dy; also the
 * forward maximum (the value at that position, -Infinity when none).
 */
function reference(g: Geo, x: Float32Array, dy: Float32Array): { dx: Float32Array; y: Float32Array } {
  const { ho, wo, pt, pl } = dims(g);
  const dx = new Float32Array(x.length);
  const y = new Float32Array(dy.length);
  const at = (b: number, r: number, col: number, d: number): number => ((b * g.h + r) * g.w + col) * g.c + d;
  for (let b = 0; b < g.n; b++) for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) for (let d = 0; d < g.c; d++) {
    let best = Number.NEGATIVE_INFINITY;
    let pos = -1;
    for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) {
      const r = oy * g.sh + ky - pt;
      const col = ox * g.sw + kx - pl;
      if (r < 0 || r >= g.h || col < 0 || col >= g.w) continue;
      const v = x[at(b, r, col, d)]!;
      if (v > best) {
        best = v;
        pos = at(b, r, col, d);
      }
    }
    const o = ((b * ho + oy) * wo + ox) * g.c + d;
    y[o] = best;
    if (pos >= 0) dx[pos] = Math.fround(dx[pos]! + dy[o]!);
  }
  return { dx, y };
}

/** A heap with a bump allocator and the generated function compiled on it. */
function heap(shared: boolean): { memory: WebAssembly.Memory; alloc: (bytes: number) => number; fn: MaxPoolGrad } {
  const memory = new WebAssembly.Memory(shared ? { initial: 64, maximum: 4096, shared: true } : { initial: 64 });
  let top = 1024;
  const alloc = (bytes: number): number => {
    const p = top;
    top += Math.ceil(bytes / 16) * 16 + 16;
    const need = Math.ceil(top / 65536) - memory.buffer.byteLength / 65536;
    if (need > 0) memory.grow(need);
    return p;
  };
  const bytes = encodeModule([maxPoolGradFn()], shared ? { shared: true, minimumPages: 0, maximumPages: 65536 } : { shared: false, minimumPages: 0 });
  const fn = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports[MAX_POOL_GRAD_EXPORT] as MaxPoolGrad;
  return { memory, alloc, fn };
}

/** Runs the generated function (through `run`, default the plain export) and returns dx. */
function generated(
  h: ReturnType<typeof heap>, g: Geo, x: Float32Array, dy: Float32Array, y: Float32Array | null,
  run: MaxPoolGrad = h.fn,
): Float32Array {
  const { ho, wo, pt, pl } = dims(g);
  const px = h.alloc(x.length * 4);
  const pg = h.alloc(dy.length * 4);
  const py = h.alloc(dy.length * 4);
  const pdx = h.alloc(x.length * 4);
  new Float32Array(h.memory.buffer, px, x.length).set(x);
  new Float32Array(h.memory.buffer, pg, dy.length).set(dy);
  if (y !== null) new Float32Array(h.memory.buffer, py, dy.length).set(y);
  new Float32Array(h.memory.buffer, pdx, x.length).fill(7); // must be overwritten
  run(px, pg, py, pdx, g.n, g.h, g.w, g.c, ho, wo, g.kh, g.kw, g.sh, g.sw, pt, pl, y === null ? 0 : 1);
  return new Float32Array(h.memory.buffer, pdx, x.length).slice();
}

const values = poolInput;
const kinds = poolInputKinds;

// [n, h, w, c, kh, kw, sh, sw, pad]: odd sizes, batch 1, same / valid, stride 1 / 2, 2x2 / 3x3
const cases: [number, number, number, number, number, number, number, number, Pad][] = [
  [1, 7, 7, 3, 3, 3, 2, 2, 'valid'],
  [1, 7, 9, 5, 3, 3, 2, 2, 'same'],
  [2, 9, 9, 4, 3, 3, 1, 1, 'same'],
  [2, 8, 7, 3, 3, 3, 1, 1, 'valid'],
  [1, 8, 8, 3, 2, 2, 2, 2, 'valid'],
  [3, 7, 7, 2, 2, 2, 2, 2, 'same'],
  [1, 5, 6, 3, 2, 2, 1, 1, 'same'],
  [2, 6, 5, 1, 2, 2, 1, 1, 'valid'],
  [1, 6, 7, 2, 3, 2, 2, 1, 'same'],
  [1, 1, 1, 3, 1, 1, 1, 1, 'valid'],
];

describe('generated maxPoolGrad', () => {
  it.each(cases)('n=%i h=%i w=%i c=%i %ix%i stride %i,%i %s: matches the first-occurrence reference, with and without y', (n, hh, ww, c, kh, kw, sh, sw, pad) => {
    const g: Geo = { n, h: hh, w: ww, c, kh, kw, sh, sw, pad };
    const { ho, wo } = dims(g);
    const h = heap(false);
    for (const kind of kinds) {
      const x = values(kind, n * hh * ww * c, 11 + hh * ww);
      const dy = randomValues(n * ho * wo * c, 5);
      const ref = reference(g, x, dy);
      expect(Array.from(generated(h, g, x, dy, null)), `${kind} scan`).toEqual(Array.from(ref.dx));
      // y is only passed when x has no NaN (see max-pool-grad.ts)
      if (kind !== 'nan') expect(Array.from(generated(h, g, x, dy, ref.y)), `${kind} early exit`).toEqual(Array.from(ref.dx));
    }
  });

  it('routes ties to the FIRST position, -0 ties 0, NaN never wins, -Infinity windows route nowhere (hand-checked)', () => {
    const h = heap(false);
    const g: Geo = { n: 1, h: 3, w: 3, c: 1, kh: 3, kw: 3, sh: 1, sw: 1, pad: 'valid' };
    const dy = new Float32Array([5]);
    const one = (xv: number[], y: number | null): number[] => Array.from(generated(h, g, new Float32Array(xv), dy, y === null ? null : new Float32Array([y])));
    const at = (i: number): number[] => Array.from({ length: 9 }, (_, k) => (k === i ? 5 : 0));
    // max 2 at positions 1, 3 and 8: the first (1) wins, with and without y
    expect(one([0, 2, 0, 2, 0, 0, 0, 0, 2], null)).toEqual(at(1));
    expect(one([0, 2, 0, 2, 0, 0, 0, 0, 2], 2)).toEqual(at(1));
    // all zeros (ReLU): position 0; -0 first then 0: still position 0 (0 > -0 is false)
    expect(one([0, 0, 0, 0, 0, 0, 0, 0, 0], null)).toEqual(at(0));
    expect(one([-0, 0, 0, 0, 0, 0, 0, 0, 0], 0)).toEqual(at(0));
    // all negative, tied maximum -1 at 4 and 6
    expect(one([-3, -2, -5, -9, -1, -4, -1, -7, -8], null)).toEqual(at(4));
    expect(one([-3, -2, -5, -9, -1, -4, -1, -7, -8], -1)).toEqual(at(4));
    // NaN first: the scan skips it
    expect(one([Number.NaN, 1, 1, 0, 0, 0, 0, 0, 0], null)).toEqual(at(1));
    // only -Infinity: nothing routed (also when y = -Infinity); -Infinity then NaN: nothing
    const ninf = Number.NEGATIVE_INFINITY;
    expect(one(new Array<number>(9).fill(ninf), null)).toEqual(new Array<number>(9).fill(0));
    expect(one(new Array<number>(9).fill(ninf), ninf)).toEqual(new Array<number>(9).fill(0));
    expect(one([ninf, Number.NaN, ninf, ninf, ninf, ninf, ninf, ninf, ninf], null)).toEqual(new Array<number>(9).fill(0));
    // y not in the window (a stale forward value): falls back to the scan
    expect(one([0, 2, 0, 2, 0, 0, 0, 0, 2], 3)).toEqual(at(1));
  });

  it('adds the dy of overlapping windows that pick the same position', () => {
    // 1x1x4x1, windows 1x2 stride 1: [1, 3, 2, 0] -> windows pick 1, 1, 2; dy = [1, 2, 4]
    const h = heap(false);
    const g: Geo = { n: 1, h: 1, w: 4, c: 1, kh: 1, kw: 2, sh: 1, sw: 1, pad: 'valid' };
    const dx = generated(h, g, new Float32Array([1, 3, 2, 0]), new Float32Array([1, 2, 4]), null);
    expect(Array.from(dx)).toEqual([0, 3, 4, 0]);
  });

  it('splits by image over threads with the same bytes as one pass', async () => {
    const h = heap(true);
    const gemm = await createNodeThreadedGemm(h.memory, { alloc: h.alloc, threads: 2 });
    try {
      // ResNet-like 3x3/2 on a padded map (odd batch), and 2x2/2, both above the parallel threshold
      const geos: Geo[] = [
        { n: 7, h: 19, w: 19, c: 64, kh: 3, kw: 3, sh: 2, sw: 2, pad: 'valid' },
        { n: 7, h: 32, w: 32, c: 20, kh: 2, kw: 2, sh: 2, sw: 2, pad: 'valid' },
      ];
      for (const g of geos) {
        const { ho, wo } = dims(g);
        expect(g.n * ho * wo * g.c).toBeGreaterThanOrEqual(MAX_POOL_GRAD_MIN_PARALLEL);
        const x = values('relu', g.n * g.h * g.w * g.c, 3);
        const dy = randomValues(g.n * ho * wo * g.c, 4);
        const ref = reference(g, x, dy);
        const threaded = generated(h, g, x, dy, ref.y, (...a) => gemm.maxPoolGrad(...a));
        expect(Array.from(threaded)).toEqual(Array.from(ref.dx));
        expect(Array.from(generated(h, g, x, dy, null, (...a) => gemm.maxPoolGrad(...a)))).toEqual(Array.from(ref.dx));
      }
    } finally {
      await gemm.dispose();
    }
  });

  it('encodes a valid module', () => {
    expect(WebAssembly.validate(encodeModule([maxPoolGradFn()], { shared: false, minimumPages: 0 }))).toBe(true);
  });
});

describe(`MaxPoolGrad on wasm with ${MAX_POOL_GRAD_WASM_FLAG}`, () => {
  beforeAll(async () => {
    await setUpCpuAndWasm();
  });
  afterEach(() => {
    tf.env().set(MAX_POOL_GRAD_WASM_FLAG, true);
  });

  it('is registered, default true', () => {
    expect(tf.env().getBool(MAX_POOL_GRAD_WASM_FLAG)).toBe(true);
  });

  it.each(cases)('n=%i h=%i w=%i c=%i %ix%i stride %i,%i %s: flag on and off give the same bits, and the cpu routing', (n, hh, ww, c, kh, kw, sh, sw, pad) => {
    const shape: [number, number, number, number] = [n, hh, ww, c];
    for (const kind of kinds) {
      const xv = values(kind, n * hh * ww * c, 23 + n);
      const grad = (backend: 'cpu' | 'wasm'): number[] =>
        Array.from(onBackend(backend, () => {
          const x = tf.tensor4d(xv, shape);
          const pool = (t: tf.Tensor): tf.Tensor4D => tf.maxPool(t as tf.Tensor4D, [kh, kw], [sh, sw], pad);
          const wv = tf.tensor(randomValues(pool(x).size, 9), pool(x).shape);
          return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(pool(t), wv)))(x);
        })[0]!);
      const before = tf.memory().numTensors;
      tf.env().set(MAX_POOL_GRAD_WASM_FLAG, true);
      const on = grad('wasm');
      tf.env().set(MAX_POOL_GRAD_WASM_FLAG, false);
      const off = grad('wasm');
      expect(tf.memory().numTensors).toBe(before);
      const cpu = grad('cpu');
      expect(on, kind).toEqual(off);
      // cpu sums overlapping windows in another order (float rounding): same routing, 1e-6
      expect(relativeError(on, cpu), kind).toBeLessThanOrEqual(1e-6);
      expect(on.map((v) => v !== 0), kind).toEqual(cpu.map((v) => v !== 0));
    }
  });
});
