import { sweepTableCells, type ModelSweep } from './sweep';
import { tableCells, type ModelTable } from './tables';

/** Escapes text for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface HtmlSection {
  table: ModelTable;
  overlaySvg: string;
  runs: { runId: string; svg: string }[];
  /** The model's lambda sweep (when its grid has more than two values of a lambda) and its figure. */
  sweep?: { sweep: ModelSweep; svg: string };
  /** Sparsity and norms over epochs, overlaid by setting (when the runs recorded weightStats). */
  weightStatsSvg?: string;
}

/**
 * A table from header and cells, inside a `<div class="table-wrap">` that scrolls sideways when
 * the table is wider than the page (cells wrap; see {@link reportCss}).
 */
export function htmlTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<div class="table-wrap"><table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function tableHtml(table: ModelTable): string {
  const { header, rows } = tableCells(table);
  return htmlTable(header, rows);
}

function sweepHtml(model: string, s: NonNullable<HtmlSection['sweep']>): string {
  const { header, rows } = sweepTableCells(s.sweep);
  return `<h3>${escapeHtml(model)}: lambda sweep</h3>
<figure>${s.svg}<figcaption>Against lambda (log axis; lambda = 0 drawn apart at the left): mean over seeds, band and bar = bootstrap 95% CI of the mean; one line per penalty.</figcaption></figure>
${htmlTable(header, rows)}
<p class="note">Δ = mean minus the lambda = 0 mean, bootstrap 95% CI (paired by seed when the seeds match); <b>*</b>: the CI excludes 0. Gap = train minus val accuracy at the epoch of best val accuracy; weights from the last epoch's weightStats.</p>`;
}

/**
 * The page's stylesheet: tables wrap their cells and scroll inside their own box when still too
 * wide; figures shrink to the page width.
 */
export const reportCss = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
.table-wrap{max-width:100%;overflow-x:auto;margin:1em 0}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right;vertical-align:top;overflow-wrap:anywhere}
th{background:#f3f3f3}td:first-child,td:nth-child(2){text-align:left}td:last-child{text-align:left;min-width:12em}.warn{color:#a40}.note{font-size:.9em;color:#555}
figure{margin:1em 0;max-width:100%;overflow-x:auto}figure svg{max-width:100%;height:auto}figcaption{font-size:.9em;color:#555}`;

/** One self-contained page (inline CSS and SVG, no scripts, no external resources). */
export function reportHtml(opts: { title: string; sections: HtmlSection[]; missing: string[]; referenceSource?: string; generatedAt: string }): string {
  const toc = opts.sections.map((s) => `<li><a href="#model-${escapeHtml(s.table.model)}">${escapeHtml(s.table.model)}</a></li>`).join('');
  const sections = opts.sections
    .map(
      (s) => `<section id="model-${escapeHtml(s.table.model)}">
<h2>${escapeHtml(s.table.model)}</h2>
${tableHtml(s.table)}
${s.sweep ? sweepHtml(s.table.model, s.sweep) : ''}
${s.weightStatsSvg ? `<figure>${s.weightStatsSvg}<figcaption>Fraction of weights near zero, L1 and L2 norm per epoch, every run of ${escapeHtml(s.table.model)} overlaid by setting.</figcaption></figure>` : ''}
<figure>${s.overlaySvg}<figcaption>All settings of ${escapeHtml(s.table.model)}: loss (train = total loss incl. penalty) and accuracy per epoch.</figcaption></figure>
<details><summary>Per-run figures (${s.runs.length})</summary>
${s.runs.map((r) => `<figure id="run-${escapeHtml(r.runId)}">${r.svg}</figure>`).join('\n')}
</details>
</section>`,
    )
    .join('\n');
  const missing = opts.missing.length
    ? `<p class="warn">Runs of the grid without results: ${opts.missing.map(escapeHtml).join(', ')}</p>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(opts.title)}</title>
<style>
${reportCss}
</style></head><body>
<h1>${escapeHtml(opts.title)}</h1>
<p>Train accuracy is taken at the epoch of the best validation accuracy; epochs count from 1.
With several seeds: mean ± sample std, and a seeded bootstrap 95% CI of the difference in best
validation accuracy to the unregularised setting.${opts.referenceSource ? ` Reference columns: ${escapeHtml(opts.referenceSource)}.` : ''}</p>
${missing}
<ul>${toc}</ul>
${sections}
<footer><small>Generated ${escapeHtml(opts.generatedAt)} by @regstudy/trainer/report from the results files.</small></footer>
</body></html>
`;
}
