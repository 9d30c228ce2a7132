import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { summarizeVitestReports } from '../src/index.js';

it('adds up vitest JSON reports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'summary-'));
  const a = join(dir, 'a.json');
  const b = join(dir, 'b.json');
  writeFileSync(a, JSON.stringify({ numPassedTests: 3, numFailedTests: 1, numPendingTests: 2, numTotalTestSuites: 2 }));
  writeFileSync(b, JSON.stringify({ numPassedTests: 4, numFailedTests: 0, numTodoTests: 1, numTotalTestSuites: 1 }));
  expect(summarizeVitestReports([a, b])).toEqual({ passed: 7, failed: 1, skipped: 3, files: 3 });
});
