import { execFileSync } from 'node:child_process';

function git(repoDir, args) {
  return execFileSync('git', args, { cwd: repoDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

function tryGit(repoDir, args) {
  try {
    return git(repoDir, args);
  } catch {
    return null;
  }
}

export function resolveBase(repoDir, env = process.env) {
  if (env.CHANGESET_BASE) return env.CHANGESET_BASE;
  const head = tryGit(repoDir, ['rev-parse', 'HEAD']);
  if (!head) return null;
  const upstream = tryGit(repoDir, ['rev-parse', '--verify', '--quiet', 'origin/main']);
  if (upstream && upstream !== head) return tryGit(repoDir, ['merge-base', 'HEAD', 'origin/main']);
  return tryGit(repoDir, ['rev-parse', '--verify', '--quiet', 'HEAD^']);
}

export function changedFiles(repoDir, base) {
  const committed = git(repoDir, ['diff', '--name-only', base, '--']);
  const untracked = git(repoDir, ['ls-files', '--others', '--exclude-standard']);
  return [...new Set([...committed.split('\n'), ...untracked.split('\n')].filter(Boolean))].sort();
}

const PUBLISHED_CHANGE = /^packages\/[^/]+\/(?!test\/|README\.md$|vitest\.config\.ts$|bench\/)/;
const CHANGESET = /^\.changeset\/(?!README\.md$)[^/]+\.md$/;

export function missingChangeset(files) {
  if (files.some((f) => CHANGESET.test(f))) return [];
  return files.filter((f) => PUBLISHED_CHANGE.test(f));
}
