// Runs in --out are identified by their whole config: settings changed since they were trained
// (data, batch size, learning rate) stop with one line instead of reusing (and relabelling) them.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { TinyImageNetSplit } from '@regstudy/tinyimagenet';
import { beforeAll, describe, expect, it } from 'vitest';
import { CliError, parseCliArgs } from '../src/cli/args';
import { resolvePlan } from '../src/cli/plan';
import { StudyProgress } from '../src/cli/progress';
import { dataFingerprintOf } from '../src/run/data-fingerprint';
import { existingResults } from '../src/run/existing';
import { runPlannedStudy, studyDirOf } from '../src/run/study';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const RUN = 'new_l1-0_l2-0_seed-0';
const grid = ['--models', 'new', '--l1', '0', '--l2', '0', '--epochs', '1', '--batch-size', '4'];
const planOf = (out: string, extra: string[] = []) => resolvePlan(parseCliArgs([...grid, '--classes', '2', '--per-class', '4', '--val-per-class', '2', '--out', out, ...extra]), out);

/** A 2-class split of 16x16 images (the trainer sizes the model from imageSize; 64 in the type). */
function split(count: number, name: 'train' | 'val'): TinyImageNetSplit {
  const size = 16;
  const images = new Uint8Array(count * size * size * 3).map((_, i) => (i * 37 + count) % 251);
  const labels = Int32Array.from({ length: count }, (_, i) => i % 2);
  const classes = [{ wnid: 'n00000000', words: 'a' }, { wnid: 'n00000001', words: 'b' }];
  return { images, labels, classes, count, split: name, imageSize: size as 64, skipped: 0, skippedImages: [], unannotatedVal: [] };
}
const prepared = () => ({
  train: split(8, 'train'),
  val: split(4, 'val'),
  description: { kind: 'synthetic' as const, source: 'test', classes: 2, trainCount: 8, valCount: 4, imageSize: 16 },
});
const quiet = () => new StudyProgress({ write: () => undefined }, false);

describe('reproduce-paper: runs in --out are checked against the settings asked for', () => {
  it('a rerun with another --lr stops with one line naming the run folder and the field; --no-resume trains it again', async () => {
    const out = mkdtempSync(join(tmpdir(), 'reproduce-identity-'));
    const first = await runPlannedStudy(planOf(out), prepared(), quiet());
    expect(first.runs.map((r) => r.status)).toEqual(['completed']);
    const config = JSON.parse(readFileSync(join(studyDirOf(planOf(out)), RUN, 'config.json'), 'utf8'));
    expect(config.dataFingerprint).toBe(dataFingerprintOf(planOf(out).data));

    const changed = runPlannedStudy(planOf(out, ['--lr', '0.5']), prepared(), quiet());
    await expect(changed).rejects.toBeInstanceOf(CliError);
    const message = ((await changed.catch((e: unknown) => e)) as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain(join(studyDirOf(planOf(out)), RUN));
    expect(message).toContain('optimizer.learningRate 0.01 -> 0.5');
    expect(message).toContain('use another --out, or --no-resume');

    const redone = await runPlannedStudy(planOf(out, ['--lr', '0.5', '--no-resume']), prepared(), quiet());
    expect(redone.runs.map((r) => r.status)).toEqual(['completed']);
  });

  it('--report-only reads the data facts from config.json and refuses runs trained on other data or settings', () => {
    const out = mkdtempSync(join(tmpdir(), 'reproduce-identity-'));
    const plan = planOf(out);
    const dir = join(studyDirOf(plan), RUN);
    mkdirSync(dir, { recursive: true });
    const config = {
      runId: RUN, model: 'new', seed: 0, epochs: 1, gridIndex: 0,
      regularization: { l1: 0, l2: 0, l2Mode: 'weight-decay', select: 'all', proximalL1: 0, decoupledDecay: 0 },
      batchSize: 4, optimizer: { kind: 'sgd', learningRate: 0.01, momentum: 0.9 },
      numClasses: 2, trainCount: 7, valCount: 3, imageSize: 32, dataFingerprint: dataFingerprintOf(plan.data),
    };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    writeFileSync(join(dir, 'status.json'), JSON.stringify({ runId: RUN, status: 'completed', epochsCompleted: 1, best: null, updatedAt: '' }));
    const found = existingResults(plan);
    expect(found).toMatchObject({ finished: 1, data: { classes: 2, trainCount: 7, valCount: 3, imageSize: 32 } });
    // more epochs asked than the run has: not finished
    expect(existingResults(planOf(out, ['--epochs', '2'])).finished).toBe(0);

    expect(() => existingResults(planOf(out, ['--per-class', '3']))).toThrow(/holds a run trained with other settings: dataFingerprint ".*train-per-class=4.*" -> ".*train-per-class=3.*"/);
    expect(() => existingResults(planOf(out, ['--batch-size', '10', '--lr', '0.001']))).toThrow(`${dir} holds a run trained with other settings: batchSize 4 -> 10, optimizer.learningRate 0.01 -> 0.001; use another --out`);
    // before a --no-resume (which deletes them) the runs are not checked
    expect(existingResults(planOf(out, ['--batch-size', '10']), false).finished).toBe(1);
  });
});
