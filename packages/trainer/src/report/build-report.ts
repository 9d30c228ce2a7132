import { z } from 'zod';
import { nodeModules, writeAtomic } from '../internal/node-fs';
import { parseOptions } from '../loop/validate';
import { overlayChartSpec, renderSvg, runChartSpec } from './charts';
import { reportHtml, type HtmlSection } from './html';
import { readStudyResults } from './read-results';
import { buildSweeps, sweepsToCsv, sweepToMarkdown, type ModelSweep } from './sweep';
import { sweepChartSpec, weightStatsChartSpec } from './sweep-charts';
import { referenceSchema } from './reference';
import { buildTables, tableToCsv, tableToMarkdown, type ModelTable } from './tables';

const reportOptionsSchema = z.strictObject({
  /** A study directory written by runStudy (or mergeStudy). */
  studyDir: z.string().min(1),
  /** Where tables/, figures/ and report.html go (default: `<studyDir>/report`). */
  outDir: z.string().min(1).optional(),
  /** Published numbers and curves to show beside ours. */
  reference: referenceSchema.optional(),
  title: z.string().default('Regularisation study'),
  /** Bootstrap resamples and RNG seed of the confidence intervals. */
  bootstrap: z.strictObject({ resamples: z.number().int().min(100).default(2000), seed: z.number().int().default(0) }).default({ resamples: 2000, seed: 0 }),
  /** Render per-run and overlay SVG figures (default true). */
  figures: z.boolean().default(true),
});

/** Options of {@link buildReport}. */
export type ReportOptions = z.input<typeof reportOptionsSchema>;

export interface ReportResult {
  tables: ModelTable[];
  /** The lambda sweeps: models whose grid has more than two values of L1 or L2 (see `buildSweeps`). */
  sweeps: ModelSweep[];
  /** Paths of every file written. */
  files: string[];
  /** Grid runs without results. */
  missing: string[];
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

/**
 * Builds the report of a study from its result files alone: per model `tables/<model>.md` and
 * `.csv` (also all in `tables.md`), `figures/<runId>.svg` and `figures/overlay-<model>.svg`
 * (Vega-Lite rendered headless), and one self-contained `report.html`. Models whose grid has more
 * than two values of a lambda also get their sweep: `figures/sweep-<model>.svg`,
 * `tables/sweep-<model>.md`, and all of them in `tables/sweep.csv` and `tables/sweep.json`; runs
 * that recorded weightStats get `figures/weights-<model>.svg` (sparsity and norms per epoch).
 */
export async function buildReport(options: ReportOptions): Promise<ReportResult> {
  const opts = parseOptions(reportOptionsSchema, options, 'buildReport()');
  const { fs, path } = await nodeModules();
  const outDir = opts.outDir ?? path.join(opts.studyDir, 'report');
  const { runs, missing } = await readStudyResults(opts.studyDir);
  const tables = buildTables(runs, { ...(opts.reference ? { reference: opts.reference } : {}), ...opts.bootstrap });
  const sweeps = buildSweeps(runs, opts.bootstrap);
  const files: string[] = [];
  const write = async (rel: string, text: string) => {
    const file = path.join(outDir, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeAtomic(fs, file, [text]);
    files.push(file);
  };
  const markdown: string[] = [`# ${opts.title}`, ''];
  const sections: HtmlSection[] = [];
  for (const table of tables) {
    const md = tableToMarkdown(table);
    await write(`tables/${safe(table.model)}.md`, `${md}\n`);
    await write(`tables/${safe(table.model)}.csv`, tableToCsv(table));
    markdown.push(`## ${table.model}`, '', md, '');
    const modelRuns = runs.filter((r) => r.config.model === table.model && r.history.length > 0);
    const section: HtmlSection = { table, overlaySvg: '', runs: [] };
    const sweep = sweeps.find((s) => s.model === table.model);
    if (sweep) {
      const md = sweepToMarkdown(sweep);
      await write(`tables/sweep-${safe(table.model)}.md`, `${md}\n`);
      markdown.push(`### ${table.model}: lambda sweep`, '', md, '');
    }
    if (opts.figures) {
      if (sweep) {
        const svg = await renderSvg(sweepChartSpec(sweep));
        await write(`figures/sweep-${safe(table.model)}.svg`, svg);
        section.sweep = { sweep, svg };
      }
      const weights = weightStatsChartSpec(table.model, modelRuns);
      if (weights) {
        section.weightStatsSvg = await renderSvg(weights);
        await write(`figures/weights-${safe(table.model)}.svg`, section.weightStatsSvg);
      }
      section.overlaySvg = await renderSvg(overlayChartSpec(table.model, modelRuns));
      await write(`figures/overlay-${safe(table.model)}.svg`, section.overlaySvg);
      for (const run of modelRuns) {
        const { l1, l2 } = run.config.regularization;
        const curve = opts.reference?.models[table.model]?.curves.find((c) => c.l1 === l1 && c.l2 === l2);
        const svg = await renderSvg(runChartSpec(run, curve ? { source: opts.reference!.source, history: curve.history } : undefined));
        await write(`figures/${safe(run.runId)}.svg`, svg);
        section.runs.push({ runId: run.runId, svg });
      }
    }
    sections.push(section);
  }
  if (sweeps.length) {
    await write('tables/sweep.csv', sweepsToCsv(sweeps));
    await write('tables/sweep.json', `${JSON.stringify(sweeps, null, 2)}\n`);
  }
  if (missing.length) markdown.push(`Runs without results: ${missing.join(', ')}`, '');
  await write('tables.md', markdown.join('\n'));
  await write(
    'report.html',
    reportHtml({
      title: opts.title,
      sections,
      missing,
      ...(opts.reference ? { referenceSource: opts.reference.source } : {}),
      generatedAt: new Date().toISOString(),
    }),
  );
  return { tables, sweeps, files, missing };
}
