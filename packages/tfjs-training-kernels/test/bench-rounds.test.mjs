// The statistics of `pnpm bench`'s interleaved rounds (bench/rounds.mjs), against hand-computed
// values, and the line protocol of its step servers (bench/step-server.mjs).
import { describe, expect, it } from 'vitest';
import { median, roundOrder, roundRatios, summarizeRounds } from '../bench/rounds.mjs';
import { StepServer } from '../bench/step-server.mjs';

describe('bench rounds', () => {
  it('median takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow(/empty/);
  });

  it('pools every round for the figures and keeps each round for the range', () => {
    // Round 1: 0.1 s, 0.1 s, 0.4 s (one slow step); round 2: 0.2 s, 0.2 s, 0.2 s. Batch 64.
    const rounds = [
      { wall: [0.1, 0.4, 0.1], cpu: [0.2, 0.2, 0.8] },
      { wall: [0.2, 0.2, 0.2], cpu: [0.4, 0.4, 0.4] },
    ];
    const s = summarizeRounds(rounds, 64);
    // Pooled walls sorted: 0.1 0.1 0.2 0.2 0.2 0.4 -> median 0.2; pooled CPU: 0.2 0.2 0.4 0.4 0.4 0.8 -> 0.4.
    expect(s.imagesPerSec).toBeCloseTo(320, 9);
    expect(s.imagesPerCpuSec).toBeCloseTo(160, 9);
    expect(s.perRound[0]).toBeCloseTo(640, 9);
    expect(s.perRound[1]).toBeCloseTo(320, 9);
  });

  it('compares two sides round by round', () => {
    const a = { perRound: [600, 300, 450] };
    const b = { perRound: [500, 400, 450] };
    const r = roundRatios(a, b);
    expect(r.ratios).toEqual([1.2, 0.75, 1]);
    expect(r.min).toBe(0.75);
    expect(r.max).toBe(1.2);
    expect(() => roundRatios(a, { perRound: [1, 2] })).toThrow(/3 rounds against 2/);
  });

  it('reverses the order of the sides every other round', () => {
    const sides = ['pytorch', 'wasm1', 'wasm2'];
    expect(roundOrder(sides, 0)).toEqual(['pytorch', 'wasm1', 'wasm2']);
    expect(roundOrder(sides, 1)).toEqual(['wasm2', 'wasm1', 'pytorch']);
    expect(roundOrder(sides, 2)).toEqual(sides);
    expect(sides).toEqual(['pytorch', 'wasm1', 'wasm2']);
  });
});

// A step server in miniature: a ready line, a log line that is not JSON, then doubles `x` per request;
// it exits with status 3 on a request for x < 0.
const doubler = `
const rl = require('node:readline').createInterface({ input: process.stdin });
console.log(JSON.stringify({ ready: true }));
console.log('a log line');
rl.on('line', (l) => { const { x } = JSON.parse(l); if (x < 0) process.exit(3); console.log(JSON.stringify({ y: 2 * x })); });
`;

describe('bench step server', () => {
  it('answers requests in order and passes non-JSON lines on', async () => {
    const s = new StepServer('doubler', process.execPath, ['-e', doubler]);
    expect(await s.ready).toEqual({ ready: true });
    const [a, b] = await Promise.all([s.request({ x: 2 }), s.request({ x: 5 })]);
    expect(a).toEqual({ y: 4 });
    expect(b).toEqual({ y: 10 });
    await s.close();
  });

  it('rejects pending and later requests with its label and exit status when it dies', async () => {
    const s = new StepServer('doubler', process.execPath, ['-e', doubler]);
    await s.ready;
    await expect(s.request({ x: -1 })).rejects.toThrow('doubler exited with 3');
    await expect(s.request({ x: 1 })).rejects.toThrow('doubler exited with 3');
    await s.close();
  });
});
