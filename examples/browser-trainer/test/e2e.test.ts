// End to end: the built page trains for 2 epochs in headless Chromium on wasm and on webgl.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTinyImageNet, writeSyntheticTinyImageNet } from '@regstudy/tinyimagenet';
import { historyCsvColumns } from '@regstudy/trainer';
import { readStudyResults } from '@regstudy/trainer/report';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { buildIfStale, chromiumPath, exampleDir, launchChromium, serveBuilt } from './browser';

const haveChromium = existsSync(chromiumPath);
if (!haveChromium) {
  console.log(`browser-trainer e2e: SKIPPED, no Chromium at ${chromiumPath} (install it: apt-get install -y chromium, or set CHROMIUM_PATH)`);
}
const artifacts = join(exampleDir, 'artifacts');

/** Tiny run: 3 classes x 8 images of 16x16, batch 8, 2 epochs. */
const tinyRun = 'model=initial&l1=0.0001&l2=0.0001&epochs=2&batchSize=8&learningRate=0.02&data=synthetic&classes=3&trainPerClass=8&valPerClass=4&imageSize=16';

interface PageWatch {
  page: Page;
  errors: string[];
  external: string[];
}

// Skipped only when Chromium is not installed (reason printed above).
describe.skipIf(!haveChromium)('browser-trainer in headless Chromium', () => {
  let server: PreviewServer;
  let url: string;
  let ctx: BrowserContext;
  let closeChromium: (() => Promise<void>) | undefined;
  let tmp: string;

  beforeAll(async () => {
    // a prepared Tiny-ImageNet cache (3 classes, 8 + 4 images a class), made by the Node package
    tmp = mkdtempSync(join(tmpdir(), 'browser-trainer-cache-'));
    const ds = await writeSyntheticTinyImageNet(join(tmp, 'data'), { classes: 3, trainPerClass: 8, valPerClass: 4, seed: 3 });
    for (const split of ['train', 'val'] as const) await loadTinyImageNet({ source: ds.root!, split, cacheDir: join(tmp, 'cache') });
    await buildIfStale();
    ({ server, url } = await serveBuilt({ '/test-cache/': join(tmp, 'cache') }));
    ({ ctx, close: closeChromium } = await launchChromium());
    mkdirSync(artifacts, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await closeChromium?.();
    await server?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  async function open(query: string): Promise<PageWatch> {
    const page = await ctx.newPage();
    const w: PageWatch = { page, errors: [], external: [] };
    page.on('console', (m) => {
      if (m.type() === 'error') w.errors.push(m.text());
    });
    page.on('pageerror', (e) => w.errors.push(`pageerror: ${e.message}`));
    // Nothing may leave the machine: requests to any other origin are recorded and refused.
    await page.route('**/*', (route) => {
      const u = route.request().url();
      if (u.startsWith(url) || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
      w.external.push(u);
      return route.abort();
    });
    await page.goto(`${url}?${query}`);
    return w;
  }

  async function finish(w: PageWatch, timeout: number): Promise<string> {
    await w.page.waitForFunction(() => !['idle', 'running', 'stopping'].includes(document.body.dataset.state ?? ''), null, { timeout });
    const state = await w.page.evaluate(() => document.body.dataset.state ?? '');
    if (state === 'error') throw new Error(`page error: ${await w.page.textContent('#form-error')}`);
    return state;
  }

  const points = (w: PageWatch, series: string) =>
    w.page.getAttribute(`polyline[data-series="${series}"]`, 'data-points').then((v) => Number(v));

  // wasm: L1 as the paper's loss term; webgl: L1 as a proximal step, strong enough to zero weights
  const runs = [
    { backend: 'wasm', extra: '', runId: 'initial_l1-0.0001_l2-0.0001_seed-0', sparse: false },
    { backend: 'webgl', extra: '&l1=0.5&l1Mode=proximal', runId: 'initial_l1-0_l2-0.0001_prox-0.5_seed-0', sparse: true },
  ] as const;
  for (const { backend, extra, runId, sparse } of runs) {
    it(`trains 2 epochs on ${backend} and draws the curves`, async () => {
      const w = await open(`${tinyRun}&backend=${backend}${extra}`);
      expect(await w.page.evaluate(() => self.crossOriginIsolated)).toBe(true);
      await w.page.click('#start');
      expect(await finish(w, 90_000)).toBe('completed');
      expect(await w.page.evaluate(() => document.body.dataset.backend)).toBe(backend);
      expect(await w.page.evaluate(() => document.body.dataset.leakedTensors)).toBe('0');

      for (const s of ['train-loss', 'val-loss', 'train-accuracy', 'val-accuracy', 'weights-l1', 'weights-l2', 'weights-sparsity']) {
        expect(await points(w, s), s).toBe(2);
      }
      expect(await points(w, 'train-batch-loss')).toBe(2 * 3); // 24 images / batch 8 = 3 batches an epoch
      expect(await w.page.locator('#epochs-table tbody tr').count()).toBe(2);
      const valAcc = Number(await w.page.getAttribute('#best-val-accuracy', 'data-value'));
      expect(valAcc).toBeGreaterThanOrEqual(0);
      expect(valAcc).toBeLessThanOrEqual(1);

      // the downloads, saved as the Node study lays out a run: results/<runId>/{config,history,status}.json, history.csv
      const study = join(tmp, `study-${backend}`);
      const runDir = join(study, runId);
      mkdirSync(runDir, { recursive: true });
      for (const [button, name] of [['#download-json', 'history.json'], ['#download-csv', 'history.csv'], ['#download-config', 'config.json'], ['#download-status', 'status.json']]) {
        const [download] = await Promise.all([w.page.waitForEvent('download'), w.page.click(button!)]);
        expect(download.suggestedFilename()).toBe(name);
        await download.saveAs(join(runDir, name!));
      }
      const csv = readFileSync(join(runDir, 'history.csv'), 'utf8').trim().split('\n');
      expect(csv[0]).toBe(historyCsvColumns.join(','));
      expect(csv).toHaveLength(3);
      const col = historyCsvColumns.indexOf('valAccuracy');
      for (const line of csv.slice(1)) {
        const v = Number(line.split(',')[col]);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
      // ... and the Node report reads them back
      const { runs: read, missing } = await readStudyResults(study);
      expect(missing).toEqual([]);
      expect(read).toHaveLength(1);
      expect(read[0]!.status.status).toBe('completed');
      expect(read[0]!.config).toMatchObject({ model: 'initial', epochs: 2, batchSize: 8, numClasses: 3, trainCount: 24, valCount: 12 });
      expect(read[0]!.history.map((r) => r.epoch)).toEqual([1, 2]);
      // sparsity: exact zeros only with the proximal step
      const zeroShare = read[0]!.history[1]!.weightStats!.total.fractionNearZero;
      if (sparse) expect(zeroShare).toBeGreaterThan(0.1);
      else expect(zeroShare).toBeLessThan(0.01);

      await w.page.screenshot({ path: join(artifacts, `train-${backend}.png`), fullPage: true });
      expect(w.errors).toEqual([]);
      expect(w.external).toEqual([]);
      await w.page.close();
    }, 120_000);
  }

  it('trains on a prepared Tiny-ImageNet cache served over HTTP', async () => {
    const w = await open('model=new&epochs=1&batchSize=12&data=cache&cacheUrl=/test-cache/&trainName=train&valName=val&backend=cpu');
    await w.page.click('#start');
    expect(await finish(w, 90_000)).toBe('completed');
    expect(await w.page.textContent('#data-info')).toBe('24 train / 12 val images, 3 classes, 64x64');
    expect(await points(w, 'val-accuracy')).toBe(1);
    expect(w.errors).toEqual([]);
    expect(w.external).toEqual([]);
    await w.page.close();
  }, 120_000);

  it('stops a long run cleanly with the Stop button, then runs again', async () => {
    const w = await open(tinyRun.replace('epochs=2', 'epochs=500') + '&backend=cpu');
    await w.page.click('#start');
    await w.page.waitForSelector('#epochs-table tbody tr', { timeout: 60_000 });
    // the page stays responsive while the worker trains: animation frames keep coming
    const frames = await w.page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          let n = 0;
          const t0 = performance.now();
          const tick = (): void => {
            n++;
            if (performance.now() - t0 < 1000) requestAnimationFrame(tick);
            else resolve(n);
          };
          requestAnimationFrame(tick);
        }),
    );
    expect(frames).toBeGreaterThan(5);
    expect(await w.page.evaluate(() => document.body.dataset.state)).toBe('running');
    await w.page.click('#stop');
    expect(await finish(w, 30_000)).toBe('aborted');
    expect(await w.page.evaluate(() => document.body.dataset.leakedTensors)).toBe('0');
    const epochs = await w.page.locator('#epochs-table tbody tr').count();
    expect(epochs).toBeGreaterThanOrEqual(1);
    expect(epochs).toBeLessThan(500);
    expect(await w.page.isEnabled('#start')).toBe(true);
    // the same page (and worker) runs again
    await w.page.fill('input[name="epochs"]', '1');
    await w.page.click('#start');
    expect(await finish(w, 60_000)).toBe('completed');
    expect(await w.page.locator('#epochs-table tbody tr').count()).toBe(1);
    // both runs are in the comparison: the aborted one and the new one
    expect(await w.page.locator('#runs-table tbody tr td:nth-child(4)').allTextContents()).toEqual(['aborted', 'completed']);
    expect(await points(w, 'compare-2')).toBe(1);
    await w.page.screenshot({ path: join(artifacts, 'stop-and-compare.png'), fullPage: true });
    expect(w.errors).toEqual([]);
    await w.page.close();
  }, 90_000);
});
