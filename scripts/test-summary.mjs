// Prints one closing line over every package's vitest JSON report.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { summarizeVitestReports } from '@regstudy/repo-checks';

const root = resolve(import.meta.dirname, '..');
const reports = [];
for (const group of ['packages', 'examples', 'tools']) {
  if (!existsSync(join(root, group))) continue;
  for (const dir of readdirSync(join(root, group))) {
    const p = join(root, group, dir, '.test-results', 'vitest.json');
    if (existsSync(p)) reports.push(p);
  }
}
const t = summarizeVitestReports(reports);
console.log(`\n${t.files} test files in ${reports.length} workspaces`);
console.log(`vitest: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
process.exit(t.failed > 0 || reports.length === 0 ? 1 : 0);
