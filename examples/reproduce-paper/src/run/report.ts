import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildReport, htmlTable, readStudyResults, type ReportResult } from '@regstudy/trainer/report';
import { claimRunsFromOriginals, claimRunsFromResults, differencesFromRuns, differencesFromTables } from '../claims/claim-runs';
import { checkClaims } from '../claims/evaluate';
import { claimsHtml, claimsMarkdown, type ClaimsCheck } from '../claims/render';
import { originalCurvesSvg } from '../paper/original-figure';
import { bestEpoch } from '../paper/original-log';
import type { PaperReference } from '../paper/reference';
import { paperModelTitles, type PaperModel } from '../paper/tables';
import { describeRunMarkdown, type RunDescription } from './description';
import { writeFileAtomic } from '@regstudy/trainer/node';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const fmtLambda = (x: number): string => (x === 0 ? '0' : x.toExponential().replace('e+', 'e'));

/** `initmodel_l1-0_l2-0_outputs.txt` -> `initmodel_l1-0_l2-0`. */
const shortName = (file: string): string => file.replace(/_outputs\.txt$/, '');

/** The paper's tables with, beside each row, what the original log of that setting says. */
export function paperVersusLogsMarkdown(ref: PaperReference): string {
  const out: string[] = [];
  for (const t of ref.tables) {
    out.push(`### ${t.title} (${t.epochs} epochs)`, '');
    out.push('| L1 | L2 | paper train acc | paper best val | paper epoch | original log | epochs | log train acc | log best val | log epoch |');
    out.push('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of t.rows) {
      const run = ref.runs.find((x) => x.model === r.model && x.l1 === r.l1 && x.l2 === r.l2);
      const b = run ? bestEpoch(run.log) : null;
      const logCells = run
        ? b
          ? [shortName(run.file), String(run.log.epochs.length), b.trainAccuracy.toFixed(4), b.valAccuracy.toFixed(4), String(b.epoch)]
          : [shortName(run.file), '0 (empty)', '', '', '']
        : ['(none)', '', '', '', ''];
      out.push(`| ${fmtLambda(r.l1)} | ${fmtLambda(r.l2)} | ${r.trainAccuracy.toFixed(4)} | ${r.bestValAccuracy.toFixed(4)} | ${r.bestEpoch} | ${logCells.join(' | ')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/**
 * `reproduction.md`: the run, the paper's claims checked on it and on the original logs (when
 * given), the paper against its logs, and every disagreement found.
 */
export function reproductionMarkdown(d: RunDescription, ref: PaperReference, claims?: ClaimsCheck): string {
  return [
    '# Reproduction of "Impact of L1 and L2 Penalties on Generalizability of a Deep Learning Model"',
    '',
    '## This run',
    '',
    describeRunMarkdown(d),
    '',
    'Our tables, with the paper\'s numbers beside them: `tables.md` (per model: `tables/<model>.md|csv`);',
    'curves (ours, with the original run of the same setting where a log exists): `figures/`; every original run of a model: `figures/original-<model>.svg`; all of it: `report.html`.',
    '',
    ...(claims ? [claimsMarkdown(claims)] : []),
    "## The paper's tables against the original logs",
    '',
    'Logs are `data/original-logs/<name>_outputs.txt`. Best epoch = highest val accuracy in the log (first on ties), counted from 1; train acc is that epoch\'s.',
    '',
    paperVersusLogsMarkdown(ref),
    `## Where the original logs and the tables disagree (${ref.disagreements.length})`,
    '',
    ...ref.disagreements.map((x) => `- **${x.kind}**: ${x.message}`),
    '',
  ].join('\n');
}

function markdownTableToHtml(md: string): string {
  const rows = md.split('\n').filter((l) => l.startsWith('|') && !/^\|[-| ]+\|$/.test(l));
  const cells = rows.map((l) => l.slice(1, -1).split('|').map((c) => c.trim()));
  const [head, ...body] = cells;
  return htmlTable(head!, body);
}

/**
 * The "This run", the paper's claims (when given: a nested `<section id="claims">`) and the
 * "paper vs original logs" section inserted at the top of report.html.
 */
export function reproductionHtml(d: RunDescription, ref: PaperReference, originalSvgs: readonly string[] = [], claims?: ClaimsCheck): string {
  const facts = describeRunMarkdown(d)
    .split('\n')
    .map((l) => `<li>${esc(l.replace(/^- /, '')).replace(/`([^`]*)`/g, '<code>$1</code>')}</li>`)
    .join('\n');
  const tables = paperVersusLogsMarkdown(ref)
    .split(/\n(?=### )/)
    .map((block) => {
      const [title, ...rest] = block.split('\n');
      return `<h3>${esc(title!.replace(/^### /, ''))}</h3>\n${markdownTableToHtml(rest.join('\n'))}`;
    })
    .join('\n');
  const dis = ref.disagreements.map((x) => `<li><b>${esc(x.kind)}</b>: ${esc(x.message)}</li>`).join('\n');
  const models = Object.keys(ref.reference.models).map((m) => paperModelTitles[m as keyof typeof paperModelTitles] ?? m);
  return `<section id="reproduction">
<h2>This run</h2>
<ul>${facts}</ul>
${claims ? claimsHtml(claims) : ''}<h2>The paper's tables against the original logs</h2>
<p>Reference columns in the model tables below are the paper's ${esc(models.join(', '))} tables; the per-run
figures overlay the original run's per-epoch curves where a log of the same setting exists.</p>
${tables}
<h2>Where the original logs and the tables disagree (${ref.disagreements.length})</h2>
<ul>${dis}</ul>
${originalSvgs.length ? `<details><summary>All original runs' curves (${originalSvgs.length} models)</summary>\n${originalSvgs.map((svg) => `<figure>${svg}</figure>`).join('\n')}\n</details>` : ''}
</section>
`;
}

/**
 * The paper's claims checked on our result files (`history.json` per run, read back through the
 * trainer's reader; claim 4 uses the bootstrap CIs of the trainer report's tables; on a lambda
 * sweep claims 2 and 4 are also stated per lambda, from the report's sweeps) and on the original
 * logs (all of them, whatever models this run had).
 */
export async function checkClaimsOn(studyDir: string, report: ReportResult, ref: PaperReference): Promise<ClaimsCheck> {
  const { runs } = await readStudyResults(studyDir);
  const ours = claimRunsFromResults(runs);
  const original = claimRunsFromOriginals(ref.runs);
  return { ours: checkClaims(ours, differencesFromTables(report.tables), report.sweeps), original: checkClaims(original, differencesFromRuns(original)) };
}

/**
 * Builds the trainer's report of `<out>/study` into `<out>` (tables, figures, report.html) with the
 * paper as reference, then adds `reproduction.md`, `run.json`, `claims.json`, the reproduction
 * section and the claims section of report.html.
 */
export async function writeReport(outDir: string, studyDir: string, ref: PaperReference, describe: () => RunDescription): Promise<ReportResult> {
  const result = await buildReport({ studyDir, outDir, reference: ref.reference, title: 'L1/L2 regularisation study: reproduction' });
  const originals: string[] = [];
  const originalFiles: string[] = [];
  for (const model of Object.keys(ref.reference.models) as PaperModel[]) {
    const svg = await originalCurvesSvg(model, ref.runs);
    if (!svg) continue;
    const file = join(outDir, 'figures', `original-${model}.svg`);
    await mkdir(join(outDir, 'figures'), { recursive: true });
    await writeFileAtomic(file, svg);
    originals.push(svg);
    originalFiles.push(file);
  }
  const claims = await checkClaimsOn(studyDir, result, ref);
  const d = describe();
  await writeFileAtomic(join(outDir, 'run.json'), JSON.stringify(d, null, 2) + '\n');
  await writeFileAtomic(join(outDir, 'reproduction.md'), reproductionMarkdown(d, ref, claims));
  await writeFileAtomic(join(outDir, 'claims.json'), JSON.stringify(claims, null, 2) + '\n');
  await writeFileAtomic(join(outDir, 'disagreements.json'), JSON.stringify(ref.disagreements, null, 2) + '\n');
  const htmlPath = join(outDir, 'report.html');
  const html = await readFile(htmlPath, 'utf8');
  const section = reproductionHtml(d, ref, originals, claims);
  const at = html.indexOf('</h1>');
  await writeFileAtomic(htmlPath, at >= 0 ? html.slice(0, at + 5) + '\n' + section + html.slice(at + 5) : html.replace('</body>', section + '</body>'));
  return { ...result, files: [...result.files, ...originalFiles, join(outDir, 'run.json'), join(outDir, 'reproduction.md'), join(outDir, 'claims.json'), join(outDir, 'disagreements.json')] };
}
