import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const dist = resolve(__dirname, '../dist');

/** Bare specifiers that a built ESM entry loads, following its relative chunks (static and dynamic). */
function loadedPackages(file: string, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  if (seen.has(file)) return out;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g)) {
    const spec = m[1]!;
    if (spec.startsWith('.')) for (const p of loadedPackages(join(file, '..', spec), seen)) out.add(p);
    else out.add(spec);
  }
  return out;
}

// The trainer is the loop, study and report: no backend, no kernel code, no backend selection.
describe('built entries of @regstudy/trainer', () => {
  it.each(['index.js', 'node.js', 'browser.js', 'report.js'])('%s loads no tfjs backend and only the tfjs-core entry of the kernels', (entry) => {
    const pkgs = [...loadedPackages(join(dist, entry))];
    expect(pkgs.filter((p) => /^@tensorflow\/tfjs-(backend-|node)|^webgpu$/.test(p))).toEqual([]);
    expect(pkgs.filter((p) => p.startsWith('@regstudy/tfjs-training-kernels/'))).toEqual([]);
  });

  it('the report loads nothing of the dataset package (sharp, yauzl) and no tfjs', () => {
    const pkgs = [...loadedPackages(join(dist, 'report.js'))];
    expect(pkgs).toContain('vega');
    expect(pkgs.filter((p) => p.startsWith('@regstudy/tinyimagenet') || p === 'sharp' || p === 'yauzl' || p.startsWith('@tensorflow/'))).toEqual([]);
  });

  it('the main entry loads the kernels only through their tfjs-core entry', () => {
    const pkgs = [...loadedPackages(join(dist, 'index.js'))];
    expect(pkgs).toContain('@regstudy/tfjs-training-kernels');
    expect(pkgs).toContain('@tensorflow/tfjs-core');
  });
});

describe('src/loop', () => {
  it('imports nothing from src/node or Node built-ins (the { dir } checkpoint lives in ./node)', () => {
    const dir = resolve(__dirname, '../src/loop');
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('train.ts');
    const offending = files.filter((f) => /from\s+'(\.\.\/node\/|node:)/.test(readFileSync(join(dir, f), 'utf8')));
    expect(offending).toEqual([]);
  });
});
