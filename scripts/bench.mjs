// `pnpm bench`: builds the packages, then runs each package's benchmark in turn:
//   packages/tinyimagenet/bench/bench.mjs  (prepare/load/batch throughput, memory)
//   packages/trainer/bench/bench.mjs       (training/inference images/s per backend vs PyTorch)
// Each prints its figures and writes them under bench/results/ (trainer also updates BENCHMARKS.md).
// `--only trainer|tinyimagenet` picks one; other arguments go to the trainer's bench, e.g.
//   pnpm bench --only trainer --models initial,new --backends wasm --steps 3 --no-pytorch
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2).filter((a) => a !== '--');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args.splice(onlyAt, 2)[1] : undefined;
const benches = [
  { name: 'tinyimagenet', filter: '@regstudy/tinyimagenet', args: [] },
  { name: 'trainer', filter: '@regstudy/trainer...', args },
].filter((b) => !only || b.name === only);
if (benches.length === 0) {
  console.error(`pnpm bench: --only must be tinyimagenet or trainer (got ${only})`);
  process.exit(2);
}
const run = (cmd, cmdArgs, cwd) => {
  const r = spawnSync(cmd, cmdArgs, { cwd, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run('pnpm', ['turbo', 'run', 'build', ...benches.map((b) => `--filter=${b.filter}`), '--output-logs=errors-only'], root);
for (const b of benches) {
  console.log(`\n=== bench: ${b.name}`);
  run(process.execPath, ['bench/bench.mjs', ...b.args], join(root, 'packages', b.name));
}
