import { describe, expect, it } from 'vitest';
import { claimRunsFromOriginals, differencesFromRuns } from '../src/claims/claim-runs';
import { checkClaims } from '../src/claims/evaluate';
import { paperReference } from '../src/paper/reference';
import type { RunDescription } from '../src/run/description';
import { describeRunMarkdown } from '../src/run/description';
import { reproductionHtml, reproductionMarkdown } from '../src/run/report';

const d: RunDescription = {
  command: 'reproduce-paper --models <new>',
  preset: 'quick',
  data: { kind: 'synthetic', source: '/c/tiny-imagenet-200', classes: 2, trainCount: 8, valCount: 4, imageSize: 64 },
  models: [{ name: 'new', epochs: 1 }],
  regularization: [{ l1: 0, l2: 0 }, { l1: 1e-4, l2: 0 }],
  l2Mode: 'weight-decay',
  optimizer: { kind: 'sgd', learningRate: 0.01, momentum: 0.9 },
  batchSize: 4,
  pixels: 'pixels in [0, 1]',
  seeds: [0, 1],
  shard: { index: 1, count: 3 },
  backend: { requested: 'auto', name: 'wasm', reason: 'xnnpack & kernels', threads: 2 },
  versions: { '@regstudy/trainer': '0.1.0' },
  host: { node: 'v20.0.0', platform: 'linux-x64', cpus: 2 },
  runs: { completed: 2, skipped: 1, failed: 0, other: 0 },
  startedAt: '2026-01-01T00:00:00.000Z',
  wallSeconds: 75.5,
};

describe('the run description', () => {
  it('states data, preset, grid, optimiser, seeds, shard, backend, versions and wall time', () => {
    const md = describeRunMarkdown(d);
    expect(md).toContain('- Preset: quick');
    expect(md).toContain('2 classes, 8 train / 4 val images of 64x64');
    expect(md).toContain('(0, 0), (1e-4, 0)');
    expect(md).toContain("coupled weight decay (grad += l2*w, the paper's code)");
    expect(md).toContain('SGD lr 0.01, momentum 0.9; batch size 4');
    expect(md).toContain('- Seeds: 0, 1; shard 1/3');
    expect(md).toContain('- Backend: wasm (requested auto, 2 threads): xnnpack & kernels');
    expect(md).toContain('@regstudy/trainer 0.1.0; Node v20.0.0 on linux-x64, 2 CPUs');
    expect(md).toContain('wall time 1:16 (75.5 s');
    expect(describeRunMarkdown({ ...d, l2Mode: 'penalty' })).toContain("a loss term l2*sum(w^2) (the paper's text)");
  });

  it('escapes HTML and renders code spans, tables and the disagreements', () => {
    const ref = paperReference(['new']);
    const html = reproductionHtml(d, ref, ['<svg id="x"></svg>']);
    expect(html).toContain('<code>reproduce-paper --models &lt;new&gt;</code>');
    expect(html).toContain('xnnpack &amp; kernels');
    expect(html.match(/<table>/g)).toHaveLength(3);
    expect(html).toContain(`disagree (${ref.disagreements.length})`);
    expect(html).toContain('<figure><svg id="x"></svg></figure>');
    expect(html).not.toContain('<new>');
  });

  it('puts the claims section after "This run" when given', () => {
    const ref = paperReference();
    const runs = claimRunsFromOriginals(ref.runs);
    const claims = checkClaims(runs, differencesFromRuns(runs));
    const md = reproductionMarkdown(d, ref, { ours: claims, original: claims });
    expect(md.indexOf('## This run')).toBeLessThan(md.indexOf("## The paper's claims, checked on this run"));
    expect(md.indexOf("## The paper's claims")).toBeLessThan(md.indexOf("## The paper's tables against the original logs"));
    expect(reproductionMarkdown(d, ref)).not.toContain("## The paper's claims");
    const html = reproductionHtml(d, ref, [], { ours: claims, original: claims });
    expect(html.indexOf('<h2>This run</h2>')).toBeLessThan(html.indexOf('<section id="claims">'));
    expect(html.indexOf('</section>')).toBeLessThan(html.indexOf("<h2>The paper's tables against the original logs</h2>"));
    expect(reproductionHtml(d, ref)).not.toContain('id="claims"');
  });

  it('writes the markdown with every disagreement as a bullet', () => {
    const ref = paperReference();
    const md = reproductionMarkdown(d, ref);
    expect(md.match(/^- \*\*/gm)).toHaveLength(ref.disagreements.length);
    expect(md).toContain('## This run');
  });
});
