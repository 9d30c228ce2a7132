import { describe, expect, it } from 'vitest';
import { createWasmGemm, type GemmOperand } from '../src/wasm/runtime/gemm';
import { Worker } from 'node:worker_threads';
import { createNodeThreadedGemm, NODE_WORKER_SOURCE } from '../src/wasm/runtime/node-gemm-threads';
import { startThreadedGemm } from '../src/wasm/runtime/threaded-gemm';
import { gemmModuleBytes, relaxedSimdSupported, type MicroKernelShape } from '../src/wasm/codegen/gemm-kernels';
import { sleb, uleb } from '../src/wasm/codegen/wasm-encoder';
import { randomValues as values } from './helpers/backends';
import { bumpHeap } from './helpers/bump-heap';

const heap = bumpHeap;

/** op(A) @ op(B) in float64 from row-major stored matrices. */
function reference(m: number, n: number, k: number, a: Float32Array, ta: boolean, b: Float32Array, tb: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ta ? p * m + i : i * k + p]! * b[tb ? j * k + p : p * n + j]!;
      c[i * n + j] = s;
    }
  }
  return c;
}

/** Runs the GEMM on stored operands copied into the heap; C starts as `c0` (accumulate) or garbage. */
function run(
  g: { gemm(m: number, n: number, k: number, a: GemmOperand, b: GemmOperand, c: GemmOperand, accumulate?: boolean): void },
  h: ReturnType<typeof heap>,
  dims: [number, number, number],
  a: Float32Array,
  ta: boolean,
  b: Float32Array,
  tb: boolean,
  c0?: Float32Array,
): Float32Array {
  const [m, n, k] = dims;
  const pa = h.alloc(a.length * 4 + 4);
  const pb = h.alloc(b.length * 4 + 4);
  const pc = h.alloc(m * n * 4 + 4);
  new Float32Array(h.memory.buffer, pa, a.length).set(a);
  new Float32Array(h.memory.buffer, pb, b.length).set(b);
  const cv = new Float32Array(h.memory.buffer, pc, m * n);
  if (c0) cv.set(c0);
  else cv.fill(Number.NaN); // must be overwritten, never read
  g.gemm(m, n, k, { ptr: pa, ld: ta ? m : k, trans: ta }, { ptr: pb, ld: tb ? k : n, trans: tb }, { ptr: pc, ld: n }, c0 !== undefined);
  return new Float32Array(h.memory.buffer, pc, m * n).slice();
}

function maxRelError(got: Float32Array, want: Float64Array): number {
  let scale = 0;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i]! - want[i]!));
  return Number.isNaN(err) || got.some((v) => Number.isNaN(v)) ? Number.POSITIVE_INFINITY : err / Math.max(scale, 1e-30);
}

describe('wasm encoder', () => {
  it('encodes LEB128 as in the spec examples', () => {
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(uleb(0)).toEqual([0]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
  });

  it('produces modules that WebAssembly.validate accepts, for plain and shared memories', () => {
    for (const shape of [
      { mr: 4, nr: 8, ku: 1, relaxed: false },
      { mr: 6, nr: 8, ku: 2, relaxed: false },
      { mr: 8, nr: 8, ku: 4, relaxed: false },
      { mr: 4, nr: 16, ku: 2, relaxed: false },
      { mr: 3, nr: 4, ku: 1, relaxed: false },
    ]) {
      expect(WebAssembly.validate(gemmModuleBytes(shape, { shared: false, minimumPages: 0 }))).toBe(true);
      expect(WebAssembly.validate(gemmModuleBytes(shape, { shared: true, minimumPages: 0, maximumPages: 65536 }))).toBe(true);
    }
    // The relaxed variant differs only in one opcode; it validates exactly where relaxed SIMD is on.
    const relaxed = gemmModuleBytes({ mr: 6, nr: 8, ku: 2, relaxed: true }, { shared: false, minimumPages: 0 });
    expect(WebAssembly.validate(relaxed)).toBe(relaxedSimdSupported());
  });
});

describe('WasmGemm', () => {
  it('computes a hand-checked 2x3x4 product, and accumulates into C', () => {
    const h = heap();
    const g = createWasmGemm(h.memory, { alloc: h.alloc });
    // A = [[1,2,3,4],[5,6,7,8]], B = [[1,0,2],[0,1,0],[1,1,1],[-1,0,2]] (4 x 3)
    const a = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const b = new Float32Array([1, 0, 2, 0, 1, 0, 1, 1, 1, -1, 0, 2]);
    // row 0: [1+3-4, 2+3, 2+3+8] = [0, 5, 13]; row 1: [5+7-8, 6+7, 10+7+16] = [4, 13, 33]
    expect([...run(g, h, [2, 3, 4], a, false, b, false)]).toEqual([0, 5, 13, 4, 13, 33]);
    // The same product from A^T (stored 4 x 2) and B^T (stored 3 x 4).
    const aT = new Float32Array([1, 5, 2, 6, 3, 7, 4, 8]);
    const bT = new Float32Array([1, 0, 1, -1, 0, 1, 1, 0, 2, 0, 1, 2]);
    expect([...run(g, h, [2, 3, 4], aT, true, bT, true)]).toEqual([0, 5, 13, 4, 13, 33]);
    expect([...run(g, h, [2, 3, 4], a, false, b, false, new Float32Array([1, 1, 1, 1, 1, 1]))]).toEqual([1, 6, 14, 5, 14, 34]);
  });

  const dims = [1, 3, 7, 17, 33];
  const shapes: MicroKernelShape[] = [
    { mr: 2, nr: 16, ku: 1, relaxed: false },
    // relaxed_madd where this engine validates it (Node >= 22; Node 20 with --experimental-wasm-relaxed-simd), else the same as above
    { mr: 2, nr: 16, ku: 1, relaxed: true },
    { mr: 4, nr: 8, ku: 1, relaxed: false },
    { mr: 3, nr: 12, ku: 3, relaxed: false },
  ];
  for (const kernel of shapes) {
    it(`matches a float64 reference on odd shapes, all transposes (${kernel.mr}x${kernel.nr}${kernel.relaxed ? ' relaxed' : ''}, small blocks)`, () => {
      const h = heap(256);
      // Small blocks so that several KC / MC / NC blocks and edge tiles occur at these sizes (n <= 16: depth 5, else 8).
      const g = createWasmGemm(h.memory, { alloc: h.alloc, kernel, blocking: { kc: 8, mc: 2 * kernel.mr, nc: 2 * kernel.nr, kcNarrow: 5, narrowN: 16 } });
      let seed = 1;
      for (const m of dims) {
        for (const n of dims) {
          for (const k of dims) {
            const a = values(m * k, seed++);
            const b = values(k * n, seed++);
            for (const ta of [false, true]) {
              for (const tb of [false, true]) {
                const want = reference(m, n, k, a, ta, b, tb);
                const err = maxRelError(run(g, h, [m, n, k], a, ta, b, tb), want);
                if (!(err <= 1e-5)) throw new Error(`m=${m} n=${n} k=${k} ta=${ta} tb=${tb}: max rel error ${err}`);
              }
            }
          }
        }
      }
    });
  }

  it('uses the default blocking on a shape spanning several blocks, on a shared memory, and k = 0', () => {
    const h = heap(256, true);
    const g = createWasmGemm(h.memory, { alloc: h.alloc });
    const [m, n, k] = [130, 37, 300];
    const a = values(m * k, 7);
    const b = values(n * k, 8);
    expect(maxRelError(run(g, h, [m, n, k], a, false, b, true), reference(m, n, k, a, false, b, true))).toBeLessThanOrEqual(1e-5);
    expect([...run(g, h, [3, 5, 0], new Float32Array(0), false, new Float32Array(0), false)]).toEqual(new Array(15).fill(0));
  });
});

describe('ThreadedWasmGemm (worker_threads on a shared memory)', () => {
  it('splits along N and along M, dynamically, and matches the reference', async () => {
    const h = heap(256, true);
    const g = await createNodeThreadedGemm(h.memory, { alloc: h.alloc, threads: 2, minParallelFlops: 0, slabsPerThread: 3 });
    try {
      expect(g.threads).toBe(2);
      let seed = 100;
      // [m, n, k]: m <= n splits columns (B slabs), m > n rows (A slabs); odd sizes give short last slabs
      for (const [m, n, k] of [[7, 101, 33], [99, 17, 40], [33, 33, 1], [1, 50, 9]] as const) {
        const a = values(m * k, seed++);
        const b = values(k * n, seed++);
        for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
          const err = maxRelError(run(g, h, [m, n, k], a, ta, b, tb), reference(m, n, k, a, ta, b, tb));
          if (!(err <= 1e-5)) throw new Error(`m=${m} n=${n} k=${k} ta=${ta} tb=${tb}: max rel error ${err}`);
        }
      }
      const c0 = values(99 * 17, 5);
      const a = values(99 * 40, 6);
      const b = values(40 * 17, 7);
      const want = reference(99, 17, 40, a, false, b, false).map((v, i) => v + c0[i]!);
      expect(maxRelError(run(g, h, [99, 17, 40], a, false, b, false, c0), want)).toBeLessThanOrEqual(1e-5);
    } finally {
      await g.dispose();
    }
    expect(() => g.gemm(1, 1, 1, { ptr: 0, ld: 1 }, { ptr: 0, ld: 1 }, { ptr: 0, ld: 1 })).toThrow(/after dispose/);
  });

  it('gemmSplitK: depth slices whose partial products (slice 0 in C, the others in `partial`) sum to the reference', async () => {
    const h = heap(256, true);
    const g = await createNodeThreadedGemm(h.memory, { alloc: h.alloc, threads: 2, minParallelFlops: 0, slabsPerThread: 2 });
    try {
      const [m, n, k] = [13, 9, 1100]; // k / 4 slices = 275: uneven last slice
      const a = values(k * m, 21); // stored [k, m]: A read transposed, as in the filter gradient
      const b = values(k * n, 22);
      const [pa, pb, pc, pp] = [h.alloc(k * m * 4), h.alloc(k * n * 4), h.alloc(m * n * 4), h.alloc(3 * m * n * 4)];
      const view = (p: number, len: number): Float32Array => new Float32Array(h.memory.buffer, p, len);
      view(pa, k * m).set(a);
      view(pb, k * n).set(b);
      const c0 = values(m * n, 23);
      view(pc, m * n).set(c0);
      const slices = g.gemmSplitK(m, n, k, { ptr: pa, ld: m, trans: true }, { ptr: pb, ld: n }, { ptr: pc, ld: n }, true, pp, 4);
      expect(slices).toBe(4); // min(maxSlices 4, threads 2 * slabsPerThread 2, k / 256)
      const got = view(pc, m * n).slice();
      for (let s = 1; s < slices; s++) view(pp + (s - 1) * m * n * 4, m * n).forEach((v, i) => (got[i] = got[i]! + v));
      const want = reference(m, n, k, a, true, b, false).map((v, i) => v + c0[i]!);
      expect(maxRelError(got, want)).toBeLessThanOrEqual(1e-5);
      // slice 0 alone is not the answer: the partials carry the rest of the depth
      expect(maxRelError(view(pc, m * n).slice(), want)).toBeGreaterThan(1e-3);
    } finally {
      await g.dispose();
    }
  });

  it('splits im2col and col2im by image, giving the same bytes as one thread', async () => {
    const h = heap(256, true);
    const g = await createNodeThreadedGemm(h.memory, { alloc: h.alloc, threads: 2, minParallelFlops: 0, slabsPerThread: 2 });
    try {
      // x [5, 6, 7, 3], 3x3, stride 2, padding 1 -> [5, 3, 4] outputs, rows of 27
      const [n, hh, w, c, k, s, pad, ho, wo] = [5, 6, 7, 3, 3, 2, 1, 3, 4];
      const x = h.alloc(n * hh * w * c * 4);
      new Float32Array(h.memory.buffer, x, n * hh * w * c).set(values(n * hh * w * c, 9));
      const rows = n * ho * wo * k * k * c;
      const [c1, c2, d1, d2] = [h.alloc(rows * 4), h.alloc(rows * 4), h.alloc(n * hh * w * c * 4), h.alloc(n * hh * w * c * 4)];
      g.im2col(x, n, hh, w, c, k, k, s, s, pad, pad, ho, wo, c1);
      g.local.im2col(x, n, hh, w, c, k, k, s, s, pad, pad, ho, wo, c2);
      const view = (p: number, len: number): Float32Array => new Float32Array(h.memory.buffer, p, len);
      expect(view(c1, rows)).toEqual(view(c2, rows));
      // hand check: image 0, output (0, 0), tap (0, 0) is padding; tap (1, 1) is x[0, 0, 0, :]
      expect([...view(c2, 3)]).toEqual([0, 0, 0]);
      expect([...view(c2 + (4 * 3) * 4, 3)]).toEqual([...view(x, 3)]);
      view(d1, n * hh * w * c).fill(0);
      view(d2, n * hh * w * c).fill(0);
      g.col2im(d1, n, hh, w, c, k, k, s, s, pad, pad, ho, wo, c1);
      g.local.col2im(d2, n, hh, w, c, k, k, s, s, pad, pad, ho, wo, c1);
      expect(view(d1, n * hh * w * c)).toEqual(view(d2, n * hh * w * c));
      expect(view(d2, n * hh * w * c).some((v) => v !== 0)).toBe(true);
    } finally {
      await g.dispose();
    }
  });

  it('splits the few-channel filter gradient by image into per-slice blocks that sum to the reference', async () => {
    const h = heap(256, true);
    const g = await createNodeThreadedGemm(h.memory, { alloc: h.alloc, threads: 2, minParallelFlops: 0, slabsPerThread: 2 });
    try {
      // x [5, 6, 7, 3], dy [5, 6, 7, 10], 3x3 'same' (pad 1): 3 slices of 2, 2, 1 images
      const [n, hh, w, ci, co, k, pad] = [5, 6, 7, 3, 10, 3, 1];
      const nv = Math.ceil(co / 4);
      const block = k * k * ci * nv * 4;
      const xv = values(n * hh * w * ci, 61);
      const dyv = values(n * hh * w * co, 62);
      const [x, dy, acc] = [h.alloc(xv.length * 4), h.alloc(dyv.length * 4 + 16), h.alloc(4 * block * 4)];
      const view = (p: number, len: number): Float32Array => new Float32Array(h.memory.buffer, p, len);
      view(x, xv.length).set(xv);
      view(dy, dyv.length).set(dyv);
      view(acc, 4 * block).fill(0);
      const used = g.fewChannelFilterGrad(ci, nv, [x, dy, n, hh, w, hh, w, co, k, k, pad, pad, acc, ci * 4], block * 4, 4);
      expect(used).toBe(3);
      const blocks = view(acc, 4 * block);
      expect(blocks.subarray(3 * block).every((v) => v === 0)).toBe(true);
      let worst = 0;
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          for (let c = 0; c < ci; c++) {
            for (let o = 0; o < co; o++) {
              let want = 0;
              for (let b = 0; b < n; b++) {
                for (let y = 0; y < hh; y++) {
                  for (let xx = 0; xx < w; xx++) {
                    const [iy, ix] = [y + i - pad, xx + j - pad];
                    if (iy >= 0 && iy < hh && ix >= 0 && ix < w) want += xv[((b * hh + iy) * w + ix) * ci + c]! * dyv[((b * hh + y) * w + xx) * co + o]!;
                  }
                }
              }
              let got = 0;
              for (let s = 0; s < used; s++) got += blocks[s * block + ((i * k + j) * ci + c) * nv * 4 + o]!;
              worst = Math.max(worst, Math.abs(got - want) / Math.max(1, Math.abs(want)));
            }
          }
        }
      }
      expect(worst).toBeLessThanOrEqual(1e-5);
    } finally {
      await g.dispose();
    }
  });

  it('also works where the caller may not block (spinning on Atomics.load, as in a browser window)', async () => {
    const h = heap(64, true);
    const g = await startThreadedGemm(
      'test',
      h.memory,
      { alloc: h.alloc, threads: 2, minParallelFlops: 0 },
      async (workerData) => {
        const w = new Worker(NODE_WORKER_SOURCE, { eval: true, workerData });
        await new Promise((resolve) => w.once('message', resolve));
        w.unref();
        return w;
      },
      false,
    );
    try {
      const [m, n, k] = [40, 9, 21];
      const a = values(m * k, 31);
      const b = values(k * n, 32);
      expect(maxRelError(run(g, h, [m, n, k], a, false, b, false), reference(m, n, k, a, false, b, false))).toBeLessThanOrEqual(1e-5);
    } finally {
      await g.dispose();
    }
  });

  it('refuses an unshared memory for threads > 1, naming the option', async () => {
    const h = heap(16);
    await expect(createNodeThreadedGemm(h.memory, { alloc: h.alloc, threads: 2 })).rejects.toThrow(/'memory' must be shared/);
  });
});
