import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { StudyPlan } from '../cli/plan';
import { formatDuration } from '../cli/progress';
import type { DataDescription } from './data';

/** What was run, for `run.json` and the report's "This run" section. */
export interface RunDescription {
  command: string;
  preset: StudyPlan['preset'];
  data: DataDescription;
  models: StudyPlan['models'];
  regularization: StudyPlan['regularization'];
  l2Mode: StudyPlan['l2Mode'];
  optimizer: StudyPlan['optimizer'];
  batchSize: number;
  pixels: string;
  seeds: number[];
  shard: StudyPlan['shard'] | null;
  backend: { requested: string; name: string; reason: string; threads: number };
  versions: Record<string, string>;
  host: { node: string; platform: string; cpus: number };
  runs: { completed: number; skipped: number; failed: number; other: number };
  startedAt: string;
  wallSeconds: number;
}

const PACKAGES = ['@regstudy/tinyimagenet', '@regstudy/regularizers', '@regstudy/architectures', '@regstudy/trainer', '@regstudy/tfjs-training-kernels', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu'];

/** Versions of this example, of the packages it uses and of the tfjs pieces, read from their package.json. */
export function packageVersions(): Record<string, string> {
  const req = createRequire(import.meta.url);
  const out: Record<string, string> = {};
  for (const name of PACKAGES) {
    try {
      out[name] = (JSON.parse(readFileSync(req.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
    } catch {
      out[name] = 'not found';
    }
  }
  return out;
}

const fmtLambda = (x: number): string => (x === 0 ? '0' : x.toExponential().replace('e+', 'e'));

/** The description as Markdown lines (the same facts as `run.json`). */
export function describeRunMarkdown(d: RunDescription): string {
  const lines = [
    `- Command: \`${d.command}\``,
    `- Preset: ${d.preset}`,
    `- Data: ${d.data.kind === 'synthetic' ? 'synthetic Tiny-ImageNet twin' : 'Tiny-ImageNet'} from ${d.data.source}: ${d.data.classes} classes, ${d.data.trainCount} train / ${d.data.valCount} val images of ${d.data.imageSize}x${d.data.imageSize}, ${d.pixels}`,
    `- Models and epochs: ${d.models.map((m) => `${m.name} ${m.epochs}`).join(', ')}`,
    `- (L1, L2) settings: ${d.regularization.map((r) => `(${fmtLambda(r.l1)}, ${fmtLambda(r.l2)})`).join(', ')}; L2 as ${d.l2Mode === 'weight-decay' ? "coupled weight decay (grad += l2*w, the paper's code)" : "a loss term l2*sum(w^2) (the paper's text)"}; L1 as a loss term over all parameters`,
    `- Optimiser: SGD lr ${d.optimizer.learningRate}, momentum ${d.optimizer.momentum}; batch size ${d.batchSize}`,
    `- Seeds: ${d.seeds.join(', ')}${d.shard ? `; shard ${d.shard.index}/${d.shard.count}` : ''}`,
    `- Backend: ${d.backend.name} (requested ${d.backend.requested}, ${d.backend.threads} thread${d.backend.threads === 1 ? '' : 's'}): ${d.backend.reason}`,
    `- Runs this invocation: ${d.runs.completed} completed, ${d.runs.skipped} already done (skipped), ${d.runs.failed} failed${d.runs.other ? `, ${d.runs.other} other (aborted/diverged)` : ''}`,
    `- Versions: ${Object.entries(d.versions).map(([k, v]) => `${k} ${v}`).join(', ')}; Node ${d.host.node} on ${d.host.platform}, ${d.host.cpus} CPUs`,
    `- Started ${d.startedAt}; wall time ${formatDuration(d.wallSeconds)} (${d.wallSeconds.toFixed(1)} s, data + training + report)`,
  ];
  return lines.join('\n');
}
