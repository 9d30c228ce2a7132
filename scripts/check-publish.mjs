// Packs every published workspace package and checks the tarball with publint --strict and
// attw --pack (node16 + bundler resolution; node10 cannot see subpath exports and is not a target).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const packDir = join(root, '.pack');
rmSync(packDir, { recursive: true, force: true });
mkdirSync(packDir);

const bin = (name) => join(root, 'node_modules', '.bin', name);
const failures = [];
for (const dir of readdirSync(join(root, 'packages'))) {
  const pkgDir = join(root, 'packages', dir);
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  if (pkg.private) continue;
  const out = execFileSync('pnpm', ['pack', '--pack-destination', packDir], { cwd: pkgDir, encoding: 'utf8' });
  const tarball = out.trim().split('\n').filter((l) => l.endsWith('.tgz')).pop();
  console.log(`\n== ${pkg.name}: ${tarball}`);
  for (const [tool, args] of [
    ['publint', ['--strict', tarball]],
    ['attw', [tarball, '--profile', 'node16', '--format', 'table-flipped']],
  ]) {
    try {
      const res = execFileSync(bin(tool), args, { cwd: pkgDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      console.log(res.trim());
    } catch (e) {
      console.log(String(e.stdout ?? ''), String(e.stderr ?? ''));
      failures.push(`${pkg.name}: ${tool}`);
    }
  }
}
if (failures.length) {
  console.error(`\npublish check failed: ${failures.join(', ')}`);
  process.exit(1);
}
console.log('\npublish check: all packages pass publint --strict and attw');
