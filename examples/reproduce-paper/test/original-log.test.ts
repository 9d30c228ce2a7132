import { describe, expect, it } from 'vitest';
import { bestEpoch, OriginalLogParseError, parseOriginalLog } from '../src/paper/original-log';
import { loadOriginalRuns, parseOriginalLogName } from '../src/paper/original-runs';

const sample = `Epoch 0/2
----------
train Loss: 5.0437 Acc: 0.0322
val Loss: 4.7467 Acc: 0.0583

Epoch 1/2
----------
train Loss: 4.5306 Acc: 0.0828
val Loss: 4.4327 Acc: 0.0832

Epoch 2/2
----------
train Loss: 4.1000 Acc: 0.1200
val Loss: 4.5000 Acc: 0.0832

Training complete in 3m 7s
Best val Acc: 0.083200
`;

describe('parseOriginalLog', () => {
  it('reads epochs 1-based with losses and accuracies, and the closing lines', () => {
    const log = parseOriginalLog(sample, 'sample.txt');
    expect(log.plannedEpochs).toBe(3);
    expect(log.completed).toBe(true);
    expect(log.trainingSeconds).toBe(187);
    expect(log.reportedBestValAccuracy).toBeCloseTo(0.0832, 10);
    expect(log.epochs).toEqual([
      { epoch: 1, trainLoss: 5.0437, trainAccuracy: 0.0322, valLoss: 4.7467, valAccuracy: 0.0583 },
      { epoch: 2, trainLoss: 4.5306, trainAccuracy: 0.0828, valLoss: 4.4327, valAccuracy: 0.0832 },
      { epoch: 3, trainLoss: 4.1, trainAccuracy: 0.12, valLoss: 4.5, valAccuracy: 0.0832 },
    ]);
  });

  it('takes the first epoch on ties for the best val accuracy, with that epoch’s train accuracy', () => {
    expect(bestEpoch(parseOriginalLog(sample))).toEqual({ epoch: 2, valAccuracy: 0.0832, trainAccuracy: 0.0828 });
  });

  it('gives an empty log for an empty file and no best epoch', () => {
    const log = parseOriginalLog('');
    expect(log).toEqual({ epochs: [], plannedEpochs: null, plannedEpochsSeen: [], completed: false, trainingSeconds: null, reportedBestValAccuracy: null });
    expect(bestEpoch(log)).toBeNull();
  });

  it('keeps complete epochs of a truncated log and drops a half epoch', () => {
    const cut = sample.split('Epoch 2/2')[0] + 'Epoch 2/2\n----------\ntrain Loss: 4.1 Acc: 0.12\n';
    const log = parseOriginalLog(cut);
    expect(log.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(log.completed).toBe(false);
    expect(log.plannedEpochs).toBe(3);
  });

  it('accepts a missing trailing newline and CRLF line ends', () => {
    const log = parseOriginalLog(sample.trimEnd().replace(/\n/g, '\r\n'));
    expect(log.epochs).toHaveLength(3);
    expect(log.reportedBestValAccuracy).toBeCloseTo(0.0832, 10);
  });

  it('names the source and line of an unexpected line', () => {
    const bad = sample.replace('val Loss: 4.4327 Acc: 0.0832', 'val Loss: oops');
    expect(() => parseOriginalLog(bad, 'x.txt')).toThrow(OriginalLogParseError);
    expect(() => parseOriginalLog(bad, 'x.txt')).toThrow(/^x\.txt:9: unexpected line "val Loss: oops"$/);
  });

  it('records a change of N in "Epoch k/N"', () => {
    const log = parseOriginalLog(sample.replace('Epoch 0/2', 'Epoch 0/49'));
    expect(log.plannedEpochsSeen).toEqual([50, 3]);
    expect(log.plannedEpochs).toBe(3);
    expect(parseOriginalLog(sample).plannedEpochsSeen).toEqual([3]);
  });

  it('rejects epochs out of order and a phase logged twice', () => {
    expect(() => parseOriginalLog(sample.replace('Epoch 1/2', 'Epoch 5/2'), 'o.txt')).toThrow(/o\.txt:6: expected "Epoch 1\/2"/);
    expect(() => parseOriginalLog(sample.replace('val Loss: 4.7467', 'train Loss: 4.7467'), 't.txt')).toThrow(/second train line in epoch 0/);
    expect(() => parseOriginalLog('train Loss: 1 Acc: 0.5\n', 'p.txt')).toThrow(/p\.txt:1: .*outside an "Epoch k\/N" block/);
  });
});

describe('original log file names', () => {
  it('maps the prefixes to model names and reads the lambdas', () => {
    expect(parseOriginalLogName('initmodel_l1-0.0001_l2-0_outputs.txt')).toEqual({ model: 'initial', l1: 1e-4, l2: 0 });
    expect(parseOriginalLogName('newmodel_l1-0_l2-0.0001_outputs.txt')).toEqual({ model: 'new', l1: 0, l2: 1e-4 });
    expect(parseOriginalLogName('resnet_l1-0.001_l2-0.0001_outputs.txt')).toEqual({ model: 'resnet18', l1: 1e-3, l2: 1e-4 });
    expect(() => parseOriginalLogName('vgg_l1-0_l2-0_outputs.txt')).toThrow(/"vgg_l1-0_l2-0_outputs.txt"/);
  });

  it('loads the 14 shipped original logs; one is empty, one truncated', () => {
    const runs = loadOriginalRuns();
    expect(runs).toHaveLength(14);
    const byFile = new Map(runs.map((r) => [r.file, r]));
    expect(byFile.get('initmodel_l1-0_l2-0_outputs.txt')!.log.epochs).toHaveLength(0);
    const resnet = byFile.get('resnet_l1-0_l2-0_outputs.txt')!.log;
    expect(resnet.epochs).toHaveLength(25);
    expect(resnet.completed).toBe(false);
    // Last block of the file, read by eye: "train Loss: 0.0640 Acc: 0.9988 / val Loss: 4.6045 Acc: 0.2217".
    expect(resnet.epochs[24]).toEqual({ epoch: 25, trainLoss: 0.064, trainAccuracy: 0.9988, valLoss: 4.6045, valAccuracy: 0.2217 });
    for (const r of runs) {
      for (const e of r.log.epochs) {
        expect(e.trainAccuracy).toBeGreaterThanOrEqual(0);
        expect(e.valAccuracy).toBeLessThanOrEqual(1);
      }
    }
  });
});
