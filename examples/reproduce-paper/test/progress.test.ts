import { describe, expect, it } from 'vitest';
import { bar, formatDuration, StudyProgress } from '../src/cli/progress';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, columns: 100, write: (t: string) => chunks.push(t) };
}

describe('progress helpers', () => {
  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(61.4)).toBe('1:01');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(NaN)).toBe('?');
  });
  it('fills a bar in proportion', () => {
    expect(bar(0.5, 10)).toBe('█████░░░░░');
    expect(bar(2, 4)).toBe('████');
    expect(bar(-1, 3)).toBe('░░░');
  });
});

describe('StudyProgress', () => {
  it('draws batch bars on a TTY and clears them before permanent lines', () => {
    let t = 0;
    const s = sink(true);
    const p = new StudyProgress(s, true, () => t);
    p.startRun('new_l1-0_l2-0_seed-0', 1, 12, 3);
    t = 1000;
    p.batch(1, 1, 4, 2.5, 0.1);
    t = 3000;
    p.batch(1, 4, 4, 2.0, 0.25);
    p.epoch({ epoch: 1, trainLoss: 2, trainAccuracy: 0.25, valLoss: 2.2, valAccuracy: 0.2, epochSeconds: 3, imagesPerSecond: 26.67 });
    p.endRun('completed', 0.2, 1);
    const out = s.chunks.join('');
    expect(out).toContain('[1/12] new_l1-0_l2-0_seed-0: 3 epochs\n');
    expect(out).toContain('epoch 1/3 ██████████████████████████████ 4/4 loss 2.000 acc 0.250 eta 0:00');
    expect(out).toContain('\r\x1b[2K  epoch 1/3  train loss 2.0000 acc 0.2500  val loss 2.2000 acc 0.2000 (3.0 s, 26.7 img/s)\n');
    expect(out).toContain('completed in 0:03, best val acc 0.2000 at epoch 1\n');
  });

  it('draws data phase bars on a TTY only, throttled', () => {
    let t = 0;
    const s = sink(true);
    const p = new StudyProgress(s, true, () => t);
    t = 1000;
    p.phase('decode', 5, 10);
    t = 1050;
    p.phase('decode', 6, 10); // within 100 ms: skipped
    p.phase('decode', 10, 10); // the end is always drawn
    p.note('done');
    expect(s.chunks).toHaveLength(4);
    expect(s.chunks[0]).toContain('decode ' + '█'.repeat(15) + '░'.repeat(15) + ' 5/10');
    expect(s.chunks[1]).toContain(' 10/10');
    expect(s.chunks[2]).toBe('\r\x1b[2K');
    const plain = sink(false);
    new StudyProgress(plain, true, () => 0).phase('decode', 1, 2);
    expect(plain.chunks).toEqual([]);
  });

  it('prints only permanent lines when not a TTY, and nothing per epoch when disabled', () => {
    const s = sink(false);
    const p = new StudyProgress(s, true, () => 0);
    p.startRun('r', 2, 2, 1, 1);
    p.batch(1, 1, 2, 1, 0);
    p.skipRun('q', 1, 2);
    expect(s.chunks).toEqual(['[2/2] r: 1 epoch (resuming after epoch 1)\n', '[1/2] q: already finished, skipped\n']);
    const quiet = sink(true);
    const q = new StudyProgress(quiet, false, () => 0);
    q.batch(1, 1, 2, 1, 0);
    q.epoch({ epoch: 1, trainLoss: 1, trainAccuracy: 0, valLoss: 1, valAccuracy: 0 });
    expect(quiet.chunks).toEqual([]);
  });
});
