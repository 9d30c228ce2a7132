import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// bench/README.md is the index of the benchmark and A/B scripts: every script in bench/ must have
// its row, and every row must name a script that exists (so the index cannot go stale either way).
const benchDir = join(__dirname, '..', 'bench');
const index = readFileSync(join(benchDir, 'README.md'), 'utf8');
const scripts = readdirSync(benchDir).filter((f) => /\.(mjs|py)$/.test(f));
const rows = [...index.matchAll(/^\| `([^`]+\.(?:mjs|py))` \|/gm)].map((m) => m[1] ?? '');

describe('bench/README.md', () => {
  it('has a row for every script in bench/', () => {
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((s) => !rows.includes(s))).toEqual([]);
  });
  it('names only scripts that exist, each once', () => {
    expect(rows.filter((r) => !scripts.includes(r))).toEqual([]);
    expect(new Set(rows).size).toBe(rows.length);
  });
  it('names only REGSTUDY_ flags that the package reads', () => {
    const flagsSource = readFileSync(join(__dirname, '..', 'src', 'wasm', 'flags.ts'), 'utf8');
    const named = [...new Set(index.match(/REGSTUDY_[A-Z0-9_]+/g) ?? [])];
    const partial = named.filter((f) => !f.endsWith('_'));
    expect(partial.filter((f) => !flagsSource.includes(f))).toEqual([]);
  });
});
