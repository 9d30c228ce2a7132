/** The "paper's claims" section of reproduction.md and report.html. */
import { htmlTable } from '@regstudy/trainer/report';
import type { ClaimResult, Verdict } from './evaluate';
import { diffText, meanText, type Direction, type SweepLine } from './sweep-lines';

export const CLAIMS_TITLE = "The paper's claims, checked on this run";

/** The claims checked on this run's result files and on the original logs. */
export interface ClaimsCheck {
  ours: ClaimResult[];
  original: ClaimResult[];
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const mdCell = (s: string): string => s.replace(/\|/g, '\\|');

const INTRO =
  "Each of the paper's qualitative claims (as the study notes list them) turned into a rule that the runs decide, from the per-epoch histories only " +
  "(our `study/<run>/history.json`, the original `data/original-logs/`). A claim's findings (per model, run or setting) combine into its verdict: " +
  '"not supported" when any decided finding contradicts it, "supported" when at least one is decided and all decided ones support it, ' +
  '"cannot tell" when none is decided (the reason is given). Claim 4 counts instead. With one seed every comparison is between two single runs.';

const lam = (x: number): string => (x === 0 ? '0' : x.toExponential().replace('e+', 'e'));
const directionWords: Record<Exclude<Direction, null>, string> = { lower: 'below 0', higher: 'above 0', unresolved: 'contains 0' };

/** The per-lambda table of a claim's sweep lines: header and string cells. */
export function linesTableCells(lines: readonly SweepLine[]): { header: string[]; rows: string[][] } {
  const header = ['Model', 'Line', 'λ', 'Seeds', 'Mean [95% CI]', 'At λ = 0 [95% CI]', 'Δ vs λ = 0 [95% CI]', 'CI of Δ'];
  const rows = lines.flatMap((l) =>
    l.points.map((p) => [
      l.model,
      l.penalty,
      lam(p.lambda),
      `${p.seeds} / ${p.baselineSeeds}`,
      meanText(p.mean),
      meanText(p.baseline),
      p.diff ? diffText(p.diff) : '',
      p.direction ? directionWords[p.direction] : 'no CI (one seed)',
    ]),
  );
  return { header, rows };
}

function linesMarkdown(lines: readonly SweepLine[] | undefined): string[] {
  if (!lines?.length) return [];
  const { header, rows } = linesTableCells(lines);
  const row = (cells: readonly string[]): string => `| ${cells.map(mdCell).join(' | ')} |`;
  return [
    `Per lambda (${lines[0]!.quantity}, means over seeds; percentile bootstrap 95% CIs):`,
    '',
    ...lines.map((l) => `- ${l.statement}.`),
    '',
    row(header),
    row(header.map(() => '---')),
    ...rows.map(row),
    '',
  ];
}

function linesHtml(lines: readonly SweepLine[] | undefined): string {
  if (!lines?.length) return '';
  const { header, rows } = linesTableCells(lines);
  return (
    `\n<p>Per lambda (${esc(lines[0]!.quantity)}, means over seeds; percentile bootstrap 95% CIs):</p>\n<ul>${lines.map((l) => `<li>${esc(l.statement)}.</li>`).join('\n')}</ul>\n` +
    htmlTable(header, rows)
  );
}

/** Markdown: a summary table, then per claim its rule and the findings on both sources. */
export function claimsMarkdown(c: ClaimsCheck): string {
  const out = [`## ${CLAIMS_TITLE}`, '', INTRO, '', '| claim | this run | original logs |', '|---|---|---|'];
  c.ours.forEach((o, i) => {
    const p = c.original[i]!;
    out.push(`| ${o.id}. ${mdCell(o.claim)} | **${o.verdict}**: ${mdCell(o.reason)} | **${p.verdict}**: ${mdCell(p.reason)} |`);
  });
  out.push('');
  c.ours.forEach((o, i) => {
    const p = c.original[i]!;
    out.push(`### Claim ${o.id}: ${o.claim}`, '', `How it is checked: ${o.operationalisation}`, '');
    for (const [name, r] of [['This run', o], ['Original logs', p]] as const) {
      out.push(`${name}: **${r.verdict}** (${r.reason})`, '');
      out.push(...r.findings.map((f) => `- ${f.scope}: ${f.verdict}. ${f.detail}`), '');
      out.push(...linesMarkdown(r.lines));
    }
  });
  return out.join('\n');
}

const badge = (v: Verdict): string => `<b class="verdict verdict-${v.replace(' ', '-')}">${esc(v)}</b>`;

/** HTML: the same content as {@link claimsMarkdown}, as one `<section id="claims">`. */
export function claimsHtml(c: ClaimsCheck): string {
  const summary = c.ours
    .map((o, i) => {
      const p = c.original[i]!;
      return `<tr><td>${o.id}. ${esc(o.claim)}</td><td>${badge(o.verdict)}: ${esc(o.reason)}</td><td>${badge(p.verdict)}: ${esc(p.reason)}</td></tr>`;
    })
    .join('\n');
  const details = c.ours
    .map((o, i) => {
      const p = c.original[i]!;
      const part = (name: string, r: ClaimResult): string =>
        `<p>${esc(name)}: ${badge(r.verdict)} (${esc(r.reason)})</p>\n<ul>${r.findings.map((f) => `<li>${esc(f.scope)}: ${badge(f.verdict)}. ${esc(f.detail)}</li>`).join('\n')}</ul>${linesHtml(r.lines)}`;
      return `<h3>Claim ${o.id}: ${esc(o.claim)}</h3>\n<p>How it is checked: ${esc(o.operationalisation)}</p>\n${part('This run', o)}\n${part('Original logs', p)}`;
    })
    .join('\n');
  return `<section id="claims">
<style>.verdict-supported{color:#1a7f37}.verdict-not-supported{color:#cf222e}.verdict-cannot-tell{color:#9a6700}</style>
<h2>${esc(CLAIMS_TITLE)}</h2>
<p>${esc(INTRO).replace(/`([^`]*)`/g, '<code>$1</code>')}</p>
<div class="table-wrap"><table><thead><tr><th>Claim</th><th>This run</th><th>Original logs</th></tr></thead><tbody>
${summary}
</tbody></table></div>
${details}
</section>
`;
}
