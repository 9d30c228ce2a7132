// `pnpm bench`: builds the packages, then runs each package's benchmark in turn:
//   packages/tinyimagenet/bench/bench.mjs  (prepare/load/batch throughput, memory)
//   packages/tfjs-training-kernels/bench/bench.mjs (training/inference images/s per backend vs PyTorch)
//   examples/browser-trainer/bench/train-throughput.mjs (training images/s in headless Chromium vs PyTorch)
//   examples/reproduce-paper/bench/epoch.mjs (whole epochs vs the paper's PyTorch loop; --only epoch [--quick])
// Each prints its figures and writes them under bench/results/ (kernels and browser also update
// BENCHMARKS.md). `--only kernels|tinyimagenet|browser` picks one (`trainer` is an alias of
// `kernels`, the bench's name before it moved to @regstudy/tfjs-training-kernels); other arguments
// go to that bench (without --only, arguments go to the kernels', and the browser bench is left out), e.g.
//   pnpm bench --only kernels --models initial,new --backends wasm --steps 3 --no-pytorch
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2).filter((a) => a !== '--');
const onlyAt = args.indexOf('--only');
const aliases = { trainer: 'kernels' };
const onlyArg = onlyAt >= 0 ? args.splice(onlyAt, 2)[1] : undefined;
const only = onlyArg === undefined ? undefined : (aliases[onlyArg] ?? onlyArg);
// browser: the page builds itself (vite) inside its bench; turbo builds the packages it uses.
const benches = [
  { name: 'tinyimagenet', filter: '@regstudy/tinyimagenet', dir: 'packages/tinyimagenet', script: 'bench/bench.mjs', args: [] },
  { name: 'kernels', filter: '@regstudy/tfjs-training-kernels...', dir: 'packages/tfjs-training-kernels', script: 'bench/bench.mjs', args },
  { name: 'browser', filter: 'browser-trainer^...', dir: 'examples/browser-trainer', script: 'bench/train-throughput.mjs', args },
  // whole epochs of the paper protocol vs the notebook's PyTorch loop (long: only with --only epoch)
  { name: 'epoch', filter: 'reproduce-paper^...', dir: 'examples/reproduce-paper', script: 'bench/epoch.mjs', args, onlyWhenAsked: true },
].filter((b) => (only ? b.name === only : !b.onlyWhenAsked && (b.name !== 'browser' || args.length === 0)));
if (benches.length === 0) {
  console.error(`pnpm bench: --only must be tinyimagenet, kernels (alias trainer), browser or epoch (got ${onlyArg})`);
  process.exit(2);
}
const run = (cmd, cmdArgs, cwd) => {
  const r = spawnSync(cmd, cmdArgs, { cwd, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run('pnpm', ['turbo', 'run', 'build', ...benches.map((b) => `--filter=${b.filter}`), '--output-logs=errors-only'], root);
for (const b of benches) {
  console.log(`\n=== bench: ${b.name}`);
  run(process.execPath, [b.script, ...b.args], join(root, b.dir));
}
