import { readFileSync } from 'node:fs';

export function summarizeVitestReports(paths) {
  const totals = { passed: 0, failed: 0, skipped: 0, files: 0 };
  for (const p of paths) {
    const r = JSON.parse(readFileSync(p, 'utf8'));
    totals.passed += r.numPassedTests ?? 0;
    totals.failed += (r.numFailedTests ?? 0) + (r.numFailedTestSuites ?? 0);
    totals.skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    totals.files += r.numTotalTestSuites ?? 0;
  }
  return totals;
}
