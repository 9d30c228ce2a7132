import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changedFiles, missingChangeset, resolveBase } from '../src/index.js';

function repo() {
  const dir = mkdtempSync(join(tmpdir(), 'cs-guard-'));
  const git = (...a) => execFileSync('git', a, { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 't@example.com');
  git('config', 'user.name', 't');
  mkdirSync(join(dir, 'packages/a/src'), { recursive: true });
  writeFileSync(join(dir, 'packages/a/src/index.ts'), 'export const a = 1;\n');
  git('add', '.');
  git('commit', '-qm', 'one');
  return { dir, git };
}

describe('missingChangeset', () => {
  it('flags source changes of a package without a changeset', () => {
    expect(missingChangeset(['packages/a/src/x.ts', 'README.md'])).toEqual(['packages/a/src/x.ts']);
  });
  it('accepts the change when a changeset is added', () => {
    expect(missingChangeset(['packages/a/src/x.ts', '.changeset/brave-owls.md'])).toEqual([]);
  });
  it('does not count tests, the package README or the changeset README', () => {
    expect(missingChangeset(['packages/a/test/x.test.ts', 'packages/a/README.md', '.changeset/README.md'])).toEqual([]);
  });
});

describe('resolveBase + changedFiles', () => {
  it('uses HEAD^ on main without a remote, and sees committed and untracked files', () => {
    const { dir, git } = repo();
    writeFileSync(join(dir, 'packages/a/src/index.ts'), 'export const a = 2;\n');
    git('commit', '-qam', 'two');
    writeFileSync(join(dir, 'packages/a/src/new.ts'), 'export {};\n');
    const base = resolveBase(dir, {});
    expect(base).toBe(git('rev-parse', 'HEAD^'));
    expect(changedFiles(dir, base)).toEqual(['packages/a/src/index.ts', 'packages/a/src/new.ts']);
    expect(missingChangeset(changedFiles(dir, base))).toHaveLength(2);
  });
  it('honours CHANGESET_BASE', () => {
    const { dir } = repo();
    expect(resolveBase(dir, { CHANGESET_BASE: 'abc123' })).toBe('abc123');
  });
});
