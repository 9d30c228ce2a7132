import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticTinyImageNet, type SyntheticDataset } from '../src/index';

/** A fresh temp folder. */
export function tempDir(prefix = 'tin-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A small synthetic set: 4 classes x 6 train, 3 val per class, 2 test, folder + zip. */
export async function smallSet(opts: { seed?: number; grayscaleFraction?: number } = {}): Promise<SyntheticDataset & { dir: string }> {
  const dir = tempDir();
  const ds = await writeSyntheticTinyImageNet(dir, {
    classes: 4,
    trainPerClass: 6,
    valPerClass: 3,
    testCount: 2,
    seed: opts.seed ?? 7,
    zip: true,
    grayscaleFraction: opts.grayscaleFraction ?? 0.25,
  });
  return { ...ds, dir };
}
