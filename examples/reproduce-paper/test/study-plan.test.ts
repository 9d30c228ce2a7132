import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli/args';
import { resolvePlan } from '../src/cli/plan';
import { epochsByModel, plannedRunIds, regularizationSpecs } from '../src/run/study';

const plan = (argv: string[]) => resolvePlan(parseCliArgs(argv), '/w');

describe('the grid of a plan', () => {
  it('paper preset: 12 runs, models x (l1, l2), run ids as the trainer names them', () => {
    const ids = plannedRunIds(plan(['--preset', 'paper']));
    expect(ids).toHaveLength(12);
    expect(ids.slice(0, 4)).toEqual([
      'initial_l1-0_l2-0_seed-0',
      'initial_l1-0_l2-0.0001_seed-0',
      'initial_l1-0.0001_l2-0_seed-0',
      'initial_l1-0.0001_l2-0.0001_seed-0',
    ]);
    expect(ids[11]).toBe('resnet18_l1-0.0001_l2-0.0001_seed-0');
    expect(epochsByModel(plan(['--preset', 'paper']))).toEqual({ initial: 50, new: 50, resnet18: 25 });
  });

  it('shards split the grid round-robin into disjoint slices that cover it', () => {
    const all = plannedRunIds(plan(['--preset', 'paper', '--seeds', '2']));
    expect(all).toHaveLength(24);
    const slices = [0, 1, 2, 3, 4].map((i) => plannedRunIds(plan(['--preset', 'paper', '--seeds', '2', '--shard', `${i}/5`])));
    expect(slices.map((s) => s.length)).toEqual([5, 5, 5, 5, 4]);
    expect(slices.flat().sort()).toEqual([...all].sort());
    expect(slices[0]![0]).toBe(all[0]);
    expect(slices[0]![1]).toBe(all[5]);
  });

  it('penalty mode is part of the run id and of the trainer spec', () => {
    const p = plan(['--l2-mode', 'penalty', '--models', 'new', '--l1', '0', '--l2', '0.0001']);
    expect(regularizationSpecs(p)).toEqual([{ l1: 0, l2: 1e-4, l2Mode: 'penalty', select: 'all', proximalL1: 0, decoupledDecay: 0 }]);
    expect(plannedRunIds(p)).toEqual(['new_l1-0_l2-0.0001_l2mode-penalty_seed-0']);
  });
});

describe('--preset sweep', () => {
  it('is each penalty alone at 0, 1e-5, 1e-4, 1e-3 with 3 seeds; the synthetic twin: New only, 2 seeds, 3 epochs; --l1/--l2 give the product again', async () => {
    const { parseCliArgs } = await import('../src/cli/args');
    const { resolvePlan } = await import('../src/cli/plan');
    const synth = resolvePlan(parseCliArgs(['--preset', 'sweep']), '/tmp');
    expect(synth.regularization).toEqual([
      { l1: 0, l2: 0 }, { l1: 1e-5, l2: 0 }, { l1: 1e-4, l2: 0 }, { l1: 1e-3, l2: 0 }, { l1: 0, l2: 1e-5 }, { l1: 0, l2: 1e-4 }, { l1: 0, l2: 1e-3 },
    ]);
    expect(synth.seeds).toBe(2);
    expect(synth.models).toEqual([{ name: 'new', epochs: 3 }]);
    // Flags still win on the twin.
    const flagged = resolvePlan(parseCliArgs(['--preset', 'sweep', '--models', 'initial,new', '--seeds', '3']), '/tmp');
    expect(flagged.models).toEqual([{ name: 'initial', epochs: 3 }, { name: 'new', epochs: 3 }]);
    expect(flagged.seeds).toBe(3);
    const real = resolvePlan(parseCliArgs(['--preset', 'sweep', '--data', '/x/tiny-imagenet-200']), '/tmp');
    expect(real.models).toEqual([{ name: 'initial', epochs: 30 }, { name: 'new', epochs: 30 }]);
    expect(real.seeds).toBe(3);
    expect(real.data).toMatchObject({ classes: 20, trainPerClass: 300, valPerClass: 50 });
    expect(resolvePlan(parseCliArgs(['--preset', 'sweep', '--l1', '0,1', '--l2', '0,2']), '/tmp').regularization).toHaveLength(4);
  });
});
