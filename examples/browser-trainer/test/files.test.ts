import { describe, expect, it } from 'vitest';
import { historyCsvColumns, type EpochRecord, type TrainResult } from '@regstudy/trainer';
import { resultFiles } from '../src/results/files';

const record = (epoch: number, valAccuracy: number): EpochRecord => ({
  epoch,
  trainLoss: 1,
  trainPenalty: 0.5,
  trainTotalLoss: 1.5,
  trainAccuracy: 0.25,
  valLoss: 1.6,
  valDataLoss: 1.1,
  valAccuracy,
  learningRate: 0.01,
  epochSeconds: 2,
  imagesPerSecond: 12,
});

describe('resultFiles', () => {
  const result: TrainResult = {
    status: 'aborted',
    history: [record(1, 0.5), record(2, 0.25)],
    best: { valAccuracy: 0.5, epoch: 1, trainAccuracy: 0.25 },
    stoppedAt: { epoch: 3, batch: 1, reason: 'signal aborted' },
    resumedFromEpoch: 0,
  };
  const files = resultFiles(
    {
      model: 'new',
      regularization: { l1: 1e-4, l2: 0, l2Mode: 'weight-decay', select: 'all', proximalL1: 0, decoupledDecay: 0 },
      optimizer: { kind: 'sgd', learningRate: 0.01, momentum: 0.9 },
      seed: 2,
      epochs: 5,
      batchSize: 8,
      numClasses: 3,
      trainCount: 24,
      valCount: 12,
      browser: { backend: 'wasm' },
    },
    result,
    new Date('2026-01-02T03:04:05Z'),
  );

  it('names the run as the study does', () => {
    expect(files.runId).toBe('new_l1-0.0001_l2-0_seed-2');
  });
  it('writes a study RunStatus with the stop point', () => {
    expect(JSON.parse(files['status.json'])).toEqual({
      runId: 'new_l1-0.0001_l2-0_seed-2',
      status: 'aborted',
      epochsCompleted: 2,
      best: { valAccuracy: 0.5, epoch: 1, trainAccuracy: 0.25 },
      stoppedAt: { epoch: 3, batch: 1, reason: 'signal aborted' },
      updatedAt: '2026-01-02T03:04:05.000Z',
    });
  });
  it('writes a study RunConfig plus the browser facts', () => {
    expect(JSON.parse(files['config.json'])).toMatchObject({ runId: files.runId, model: 'new', gridIndex: 0, epochs: 5, browser: { backend: 'wasm' } });
  });
  it('writes history.json and history.csv', () => {
    expect(JSON.parse(files['history.json'])).toEqual(result.history);
    const lines = files['history.csv'].trim().split('\n');
    expect(lines[0]).toBe(historyCsvColumns.join(','));
    expect(lines[1]!.startsWith('1,1,0.5,1.5,0.25,1.6,1.1,0.5,0.01,2,12')).toBe(true);
    expect(lines).toHaveLength(3);
  });
});
