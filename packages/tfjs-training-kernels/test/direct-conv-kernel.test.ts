import { describe, expect, it } from 'vitest';
import { directConvFn, type DirectConv } from '../src/wasm/codegen/direct-conv-kernel';
import { encodeModule } from '../src/wasm/codegen/wasm-encoder';
import { relaxedSimdSupported } from '../src/wasm/codegen/gemm-kernels';

/** Reference: out[b,y,x,o] = act(bias[o] + sum in[b, y+i-pt, x+j-pl, c] W[i,j,c,o]). */
function reference(inp: Float32Array, wt: Float32Array, bias: Float32Array, g: Geo, relu: boolean): Float32Array {
  const { n, h, w, ci, co, kh, kw, pt, pl, ho, wo } = g;
  const out = new Float32Array(n * ho * wo * co);
  for (let b = 0; b < n; b++) for (let y = 0; y < ho; y++) for (let x = 0; x < wo; x++) for (let o = 0; o < co; o++) {
    let s = bias[o]!;
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
      const iy = y + i - pt;
      const ix = x + j - pl;
      if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
      for (let c = 0; c < ci; c++) s += inp[((b * h + iy) * w + ix) * ci + c]! * wt[((i * kw + j) * ci + c) * co + o]!;
    }
    out[((b * ho + y) * wo + x) * co + o] = relu ? Math.max(s, 0) : s;
  }
  return out;
}

interface Geo { n: number; h: number; w: number; ci: number; co: number; kh: number; kw: number; pt: number; pl: number; ho: number; wo: number }

function values(len: number, seed: number): Float32Array {
  const a = new Float32Array(len);
  let s = seed >>> 0;
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

/** Runs the generated kernel on a fresh memory; a sentinel after out checks no write past it. */
function run(g: Geo, pixels: number, unroll: number, holdFilter: boolean, inp: Float32Array, wt: Float32Array, bias: Float32Array, relu: boolean): { out: Float32Array; sentinel: number } {
  const nv = Math.ceil(g.co / 4);
  const memory = new WebAssembly.Memory({ initial: 64 });
  const fn = new WebAssembly.Instance(new WebAssembly.Module(encodeModule([directConvFn(nv, pixels, relaxedSimdSupported(), 'k', unroll, holdFilter)], { shared: false, minimumPages: 0 })), { env: { memory } }).exports.k as DirectConv;
  const f32 = new Float32Array(memory.buffer);
  const xAt = 64;
  const wAt = xAt + inp.length * 4 + 64;
  const packed = g.kh * g.kw * g.ci * nv * 4;
  for (let t = 0; t < g.kh * g.kw * g.ci; t++) for (let o = 0; o < g.co; o++) f32[wAt / 4 + t * nv * 4 + o] = wt[t * g.co + o]!;
  for (let o = 0; o < g.co; o++) f32[wAt / 4 + packed + o] = bias[o]!;
  f32.set(inp, xAt / 4);
  const outAt = wAt + (packed + nv * 4) * 4 + 64;
  const len = g.n * g.ho * g.wo * g.co;
  f32[outAt / 4 + len] = 12345;
  fn(xAt, wAt, outAt, g.n, g.h, g.w, g.ci, g.ho, g.wo, g.co, g.kh, g.kw, g.pt, g.pl, relu ? 1 : 0, g.co);
  return { out: f32.slice(outAt / 4, outAt / 4 + len), sentinel: f32[outAt / 4 + len]! };
}

// [n, h, w, ci, co, kh, kw, pt, pb, pl, pr]
const cases: number[][] = [
  [2, 9, 9, 3, 10, 3, 3, 1, 1, 1, 1],
  [1, 8, 7, 3, 10, 3, 3, 0, 0, 0, 0],
  [3, 11, 13, 1, 1, 3, 3, 1, 1, 1, 1],
  [1, 7, 9, 4, 13, 5, 5, 2, 2, 2, 2],
  [1, 6, 11, 16, 32, 1, 1, 0, 0, 0, 0],
  [2, 7, 7, 2, 6, 3, 3, 2, 0, 1, 3],
  [1, 4, 4, 1, 4, 7, 7, 3, 3, 3, 3],
  [1, 5, 17, 20, 30, 3, 3, 1, 1, 1, 1],
  [1, 3, 2, 5, 7, 3, 3, 1, 1, 1, 1],
];

describe.each(cases)('directConv kernel n=%i h=%i w=%i ci=%i co=%i %ix%i', (n, h, w, ci, co, kh, kw, pt, pb, pl, pr) => {
  const g: Geo = { n: n!, h: h!, w: w!, ci: ci!, co: co!, kh: kh!, kw: kw!, pt: pt!, pl: pl!, ho: h! + pt! + pb! - kh! + 1, wo: w! + pl! + pr! - kw! + 1 };
  const inp = values(g.n * g.h * g.w * g.ci, 3 + h! * 7 + ci!);
  const wt = values(g.kh * g.kw * g.ci * g.co, 5 + co! * 11);
  const bias = values(g.co, 17 + co!);
  it.each([[1, 1, false], [2, 1, true], [3, 2, false], [4, 1, false], [7, 1, true], [8, 2, true]] as const)('matches the reference with %i pixels per step, unroll %i, filter held %s (relu on and off)', (pixels, unroll, hold) => {
    for (const relu of [false, true]) {
      const want = reference(inp, wt, bias, g, relu);
      const { out, sentinel } = run(g, pixels, unroll, hold, inp, wt, bias, relu);
      expect(sentinel).toBe(12345);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(out[i]! - want[i]!) / (1 + Math.abs(want[i]!)));
      expect(worst).toBeLessThan(1e-5);
    }
  });
});

describe('directConv kernel, one pass of a wider output', () => {
  it('writes channels [o0, o0 + co) of pixels ldo floats apart and nothing else', () => {
    // 1 image 3x4, 2 -> 5 channels 3x3 same, into channels 2..6 of a 9-channel output
    const g: Geo = { n: 1, h: 3, w: 4, ci: 2, co: 5, kh: 3, kw: 3, pt: 1, pl: 1, ho: 3, wo: 4 };
    const inp = values(24, 3);
    const wt = values(90, 4);
    const bias = values(5, 5);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const fn = new WebAssembly.Instance(new WebAssembly.Module(encodeModule([directConvFn(2, 3, relaxedSimdSupported(), 'k')], { shared: false, minimumPages: 0 })), { env: { memory } }).exports.k as DirectConv;
    const f32 = new Float32Array(memory.buffer);
    f32.set(inp, 16);
    const wAt = 256;
    for (let t = 0; t < 18; t++) for (let o = 0; o < 5; o++) f32[wAt + t * 8 + o] = wt[t * 5 + o]!;
    for (let o = 0; o < 5; o++) f32[wAt + 18 * 8 + o] = bias[o]!;
    const outAt = 1024;
    f32.fill(-7, outAt, outAt + 12 * 9 + 4);
    fn(64, wAt * 4, (outAt + 2) * 4, 1, 3, 4, 2, 3, 4, 5, 3, 3, 1, 1, 0, 9);
    const want = reference(inp, wt, bias, g, false);
    for (let p = 0; p < 12; p++) {
      for (let o = 0; o < 9; o++) {
        const got = f32[outAt + p * 9 + o]!;
        if (o < 2 || o >= 7) expect(got).toBe(-7);
        else expect(Math.abs(got - want[p * 5 + o - 2]!)).toBeLessThan(1e-5);
      }
    }
    expect(f32[outAt + 108]).toBe(-7);
  });
});
