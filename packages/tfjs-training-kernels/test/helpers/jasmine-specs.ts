import { createRequire } from 'node:module';

/** One spec's outcome, as jasmine reports it. */
export interface SpecOutcome {
  fullName: string;
  status: 'passed' | 'failed' | 'excluded' | 'pending';
  /** First line of each failed expectation. */
  failures: string[];
}

/** What {@link runJasmineSpecs} found. */
export interface JasmineRun {
  specs: SpecOutcome[];
  /** Errors outside any spec (a failing `beforeAll`, a load error). */
  suiteErrors: string[];
  overall: string;
}

interface JasmineSpec {
  getFullName(): string;
}
interface JasmineResult {
  fullName: string;
  status: string;
  failedExpectations: { message: string }[];
}
interface JasmineEnv {
  configure(c: Record<string, unknown>): void;
  addReporter(r: Record<string, (r: JasmineResult) => void>): void;
  beforeEach(f: () => Promise<void> | void): void;
  execute(): Promise<{ overallStatus: string; failedExpectations: { message: string }[] }>;
}
interface Jasmine {
  getEnv(): JasmineEnv;
  DEFAULT_TIMEOUT_INTERVAL: number;
}

const firstLine = (s: string): string => s.split('\n')[0]!;

/**
 * Runs jasmine spec modules (tfjs-core's `dist/**\/*_test.js` use jasmine's globals) inside the
 * calling test: boots a fresh jasmine-core, puts its globals (`describe`, `it`, `expect`, `jasmine`,
 * ...) on `globalThis` while `load` imports the modules, runs the specs whose full name `include`
 * accepts, and removes the globals again. `beforeEach` runs before every spec (after the suites'
 * `beforeAll`). Jasmine yields to the event loop between specs, so the vitest worker stays responsive.
 */
export async function runJasmineSpecs(options: {
  load: () => Promise<void>;
  include: (fullName: string) => boolean;
  beforeEach?: () => Promise<void>;
  timeoutMs?: number;
}): Promise<JasmineRun> {
  const jasmineRequire = createRequire(import.meta.url)('jasmine-core') as { boot(reinit: boolean): Jasmine };
  const before = new Set(Object.keys(globalThis));
  const jasmine = jasmineRequire.boot(true);
  const added = Object.keys(globalThis).filter((k) => !before.has(k));
  try {
    jasmine.DEFAULT_TIMEOUT_INTERVAL = options.timeoutMs ?? 60_000;
    const env = jasmine.getEnv();
    env.configure({ random: false, stopOnSpecFailure: false, specFilter: (s: JasmineSpec) => options.include(s.getFullName()) });
    const specs: SpecOutcome[] = [];
    const suiteErrors: string[] = [];
    env.addReporter({
      specDone: (r) =>
        specs.push({ fullName: r.fullName, status: r.status as SpecOutcome['status'], failures: r.failedExpectations.map((f) => firstLine(f.message)) }),
      suiteDone: (r) => {
        for (const f of r.failedExpectations) suiteErrors.push(`${r.fullName}: ${firstLine(f.message)}`);
      },
    });
    if (options.beforeEach) env.beforeEach(options.beforeEach);
    await options.load();
    const done = await env.execute();
    for (const f of done.failedExpectations) suiteErrors.push(firstLine(f.message));
    return { specs, suiteErrors, overall: done.overallStatus };
  } finally {
    for (const k of added) delete (globalThis as Record<string, unknown>)[k];
  }
}
