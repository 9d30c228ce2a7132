import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');

/** The README's example, verbatim: the code block right after its `readme-example` marker. */
function readmeExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const match = /<!-- readme-example:[^>]*-->\s*```js\n([\s\S]*?)```/.exec(readme);
  if (!match) throw new Error('README.md: no ```js block after the readme-example marker');
  return match[1]!;
}

// Runs it against the built package (self-reference through the exports map) in a fresh Node.
describe('README example', () => {
  it('trains the small convnet on wasm for 3 epochs with finite losses', () => {
    const dir = join(root, '.test-results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'readme-example.mjs');
    writeFileSync(file, `${readmeExample()}process.stdout.write('\\nRESULT ' + JSON.stringify({ backend, threads, loss: h.history.loss }) + '\\n');\n`);
    const run = spawnSync(process.execPath, [file], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    const result = JSON.parse(line!.slice('RESULT '.length)) as { backend: string; threads: number; loss: number[] };
    expect(result.backend).toBe('wasm');
    expect(result.threads).toBeGreaterThanOrEqual(1);
    expect(result.loss).toHaveLength(3);
    expect(result.loss.every((l) => Number.isFinite(l) && l > 0)).toBe(true);
  });
});
