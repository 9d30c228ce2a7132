// Until examples/reproduce-paper exists this is a smoke run: it loads every built package
// through its public exports and lists what each one provides.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
for (const dir of readdirSync(join(root, 'packages'))) {
  const pkgDir = join(root, 'packages', dir);
  const { name } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const req = createRequire(join(pkgDir, 'package.json'));
  const mod = await import(req.resolve(name).replace(/\.cjs$/, '.js'));
  console.log(`${name}: ${Object.keys(mod).join(', ') || '(no exports yet)'}`);
}
