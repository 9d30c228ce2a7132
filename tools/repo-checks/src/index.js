export { importBuiltPackage } from './import-built-package.js';
export { changedFiles, missingChangeset, resolveBase } from './changeset-guard.js';
export { summarizeVitestReports } from './test-summary.js';
