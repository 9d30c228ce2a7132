import type { ResolvedRegularizationSpec } from '../loop/specs';

/** Formats a number for a run id: `0.0001`, `0`, `1e-7` (JavaScript's shortest round-trip form). */
const num = (n: number) => String(n);

/**
 * The directory name of one run: `<model>_l1-<l1>_l2-<l2>_seed-<seed>`, e.g.
 * `initial_l1-0.0001_l2-0_seed-0`; non-default settings add `_l2mode-penalty`, `_select-kernels`,
 * `_prox-<x>`, `_decay-<x>`.
 */
export function runIdOf(model: string, reg: ResolvedRegularizationSpec, seed: number): string {
  let id = `${model}_l1-${num(reg.l1)}_l2-${num(reg.l2)}`;
  if (reg.l2Mode !== 'weight-decay') id += `_l2mode-${reg.l2Mode}`;
  if (reg.select !== 'all') id += `_select-${reg.select}`;
  if (reg.proximalL1 > 0) id += `_prox-${num(reg.proximalL1)}`;
  if (reg.decoupledDecay > 0) id += `_decay-${num(reg.decoupledDecay)}`;
  return `${id}_seed-${seed}`;
}
