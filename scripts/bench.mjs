// `pnpm bench`: builds @regstudy/trainer (and what it depends on), then runs its benchmark
// (packages/trainer/bench/bench.mjs) with the arguments given, e.g.
//   pnpm bench -- --models initial,new --backends wasm --steps 3 --no-pytorch
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, cwd) => {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run('pnpm', ['turbo', 'run', 'build', '--filter=@regstudy/trainer...', '--output-logs=errors-only'], root);
run(process.execPath, ['bench/bench.mjs', ...process.argv.slice(2).filter((a) => a !== '--')], join(root, 'packages/trainer'));
