import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli/args';
import { checkpointBytes, RECORDED_SECONDS_PER_1000, summarizeDryRun } from '../src/cli/dry-run';
import { resolvePlan } from '../src/cli/plan';
import { plannedRunIds } from '../src/run/study';

describe('--dry-run summary', () => {
  it('grid size, time from the recorded speeds and checkpoint disk, by hand', () => {
    const plan = resolvePlan(parseCliArgs(['--preset', 'sweep', '--data', '/x/t', '--jobs', '2']), '/tmp');
    const runs = plannedRunIds(plan);
    const params = { initial: { trainable: 1000, nonTrainable: 10 }, new: { trainable: 100, nonTrainable: 0 } };
    const s = summarizeDryRun(plan, runs, params, { train: 6000, val: 1000 });
    expect(s.runs).toBe(42);
    expect(checkpointBytes(params.initial)).toBe(1000 * 4 * 2 + 10 * 4);
    // per model: 3 seeds x 30 epochs x 7 images-thousands x (3 L1 settings x l1 + 4 others x plain), two jobs at once
    const r = RECORDED_SECONDS_PER_1000;
    const perModel = (m: { plain: number; l1: number }) => 3 * 30 * 7 * (3 * m.l1 + 4 * m.plain);
    expect(s.seconds).toBeCloseTo((perModel(r.initial!) + perModel(r.new!)) / 2, 6);
    expect(s.diskKept).toBe(21 * 8040 + 21 * 800);
    expect(s.diskWhileTraining).toBe(2 * 8040);
    // kept weights: (trainable + non-trainable) x 4 bytes x (best, last) x (tfjs, PyTorch), 21 runs each
    expect(s.weightsKept).toBe(21 * 1010 * 16 + 21 * 100 * 16);
    const off = resolvePlan(parseCliArgs(['--preset', 'sweep', '--data', '/x/t', '--no-keep-weights']), '/tmp');
    expect(summarizeDryRun(off, runs, params, { train: 6000, val: 1000 }).weightsKept).toBe(0);
  });
});
