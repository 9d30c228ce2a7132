export interface ImportResult {
  /** Sorted export names seen by the importing process. */
  keys: string[];
}
/**
 * Imports `name` (resolved from `cwd`, so a package can import itself through its `exports` map)
 * in a fresh Node process, with `import()` when `mode` is 'esm' and `require()` when 'cjs'.
 * Rejects with the child's stderr when the import fails.
 */
export function importBuiltPackage(cwd: string, name: string, mode: 'esm' | 'cjs'): Promise<ImportResult>;

/** Files changed between `base` and the work tree (committed and uncommitted, untracked included). */
export function changedFiles(repoDir: string, base: string): string[];
/**
 * The packages/ changes that need a changeset, or [] when a changeset was added.
 * A change needs one when it touches a published package's files (not its tests).
 */
export function missingChangeset(files: string[]): string[];
/**
 * The commit to compare against: `$CHANGESET_BASE` if set; else the merge base with origin/main
 * when HEAD is not origin/main; else HEAD's first parent (the last commit is checked); else null.
 */
export function resolveBase(repoDir: string, env?: Record<string, string | undefined>): string | null;

export interface TestTotals { passed: number; failed: number; skipped: number; files: number }
/** Adds up vitest JSON reports (`--reporter=json`) found at the given paths. */
export function summarizeVitestReports(paths: string[]): TestTotals;
