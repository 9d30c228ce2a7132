import { z } from 'zod';

const acc = z.number().min(0).max(1);

/** One row of a published table (e.g. the paper's Table 1). */
export const referenceRowSchema = z.strictObject({
  l1: z.number().min(0),
  l2: z.number().min(0),
  trainAccuracy: acc,
  valAccuracy: acc,
  epoch: z.number().int().min(1),
  note: z.string().optional(),
});

/** A published per-epoch curve point (any subset of the fields). */
export const referencePointSchema = z.strictObject({
  epoch: z.number().int().min(1),
  trainLoss: z.number().optional(),
  trainAccuracy: acc.optional(),
  valLoss: z.number().optional(),
  valAccuracy: acc.optional(),
});

/** Published numbers to show beside ours: per model, table rows and optional curves per (l1, l2). */
export const referenceSchema = z.strictObject({
  /** Where the numbers come from, shown in the report (e.g. "Paper, Tables 1-3"). */
  source: z.string().default('reference'),
  models: z.record(
    z.string(),
    z.strictObject({
      rows: z.array(referenceRowSchema).default([]),
      curves: z
        .array(z.strictObject({ l1: z.number().min(0), l2: z.number().min(0), history: z.array(referencePointSchema) }))
        .default([]),
    }),
  ),
});

export type Reference = z.input<typeof referenceSchema>;
export type ResolvedReference = z.output<typeof referenceSchema>;
export type ReferenceRow = z.output<typeof referenceRowSchema>;
export type ReferencePoint = z.output<typeof referencePointSchema>;
