import { tableCells, type ModelTable } from './tables';

/** Escapes text for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface HtmlSection {
  table: ModelTable;
  overlaySvg: string;
  runs: { runId: string; svg: string }[];
}

function tableHtml(table: ModelTable): string {
  const { header, rows } = tableCells(table);
  const th = header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** One self-contained page (inline CSS and SVG, no scripts, no external resources). */
export function reportHtml(opts: { title: string; sections: HtmlSection[]; missing: string[]; referenceSource?: string; generatedAt: string }): string {
  const toc = opts.sections.map((s) => `<li><a href="#model-${escapeHtml(s.table.model)}">${escapeHtml(s.table.model)}</a></li>`).join('');
  const sections = opts.sections
    .map(
      (s) => `<section id="model-${escapeHtml(s.table.model)}">
<h2>${escapeHtml(s.table.model)}</h2>
${tableHtml(s.table)}
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
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right;white-space:nowrap}
th{background:#f3f3f3}td:first-child,td:nth-child(2){text-align:left}.warn{color:#a40}
figure{margin:1em 0}figcaption{font-size:.9em;color:#555}
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
