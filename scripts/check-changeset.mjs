// Fails when a published package changed since the base and no changeset was added.
// Base: $CHANGESET_BASE, else merge-base with origin/main, else HEAD^ (see README, "Changesets").
import { changedFiles, missingChangeset, resolveBase } from '@regstudy/repo-checks';

const root = new URL('..', import.meta.url).pathname;
const base = resolveBase(root);
if (!base) {
  console.log('changeset check: no base commit to compare against; skipped');
  process.exit(0);
}
const missing = missingChangeset(changedFiles(root, base));
if (missing.length) {
  console.error(`changeset check: packages/ changed since ${base.slice(0, 12)} without a changeset:`);
  for (const f of missing) console.error(`  ${f}`);
  console.error('Run `pnpm changeset` and commit the file it writes.');
  process.exit(1);
}
console.log(`changeset check: ok (base ${base.slice(0, 12)})`);
