import { describe, expect, it } from 'vitest';
import { referenceSchema } from '@regstudy/trainer/report';
import { paperReference } from '../src/paper/reference';
import { paperVersusLogsMarkdown } from '../src/run/report';

describe('paperReference', () => {
  const ref = paperReference();

  it('is a valid report reference with the three tables and the original curves', () => {
    const parsed = referenceSchema.parse(ref.reference);
    expect(Object.keys(parsed.models)).toEqual(['initial', 'new', 'resnet18']);
    expect(parsed.models.new!.rows[0]).toEqual({ l1: 0, l2: 0, trainAccuracy: 0.2979, valAccuracy: 0.1571, epoch: 38 });
    // Initial: 4 logs with epochs (the unregularised one is empty); ResNet: all 6 logs.
    expect(parsed.models.initial!.curves).toHaveLength(4);
    expect(parsed.models.resnet18!.curves).toHaveLength(6);
    const c = parsed.models.resnet18!.curves.find((x) => x.l1 === 0 && x.l2 === 0)!;
    expect(c.history).toHaveLength(25);
    expect(c.history[0]).toEqual({ epoch: 1, trainLoss: 5.0437, trainAccuracy: 0.0322, valLoss: 4.7467, valAccuracy: 0.0583 });
  });

  it('notes the kinds of disagreement on the rows that have them', () => {
    const rows = ref.reference.models.initial!.rows!;
    expect(rows[0]!.note).toBe('log disagrees: empty-log');
    expect(rows[3]!.note).toBe('log disagrees: best-val, best-epoch, train-acc, matches-other-log');
    expect(ref.reference.models.new!.rows![0]!.note).toBeUndefined();
  });

  it('keeps only the models asked for', () => {
    expect(Object.keys(paperReference(['new']).reference.models)).toEqual(['new']);
  });

  it('puts each table row beside its log', () => {
    const md = paperVersusLogsMarkdown(ref);
    expect(md).toContain('| 1e-4 | 0 | 0.2293 | 0.1364 | 49 | initmodel_l1-0.0001_l2-0 | 50 | 0.2057 | 0.1364 | 42 |');
    expect(md).toContain('| 0 | 1e-4 | 0.3466 | 0.1764 | 44 | (none) |');
    expect(md.match(/^### /gm)).toHaveLength(3);
  });
});
