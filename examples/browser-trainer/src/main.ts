// The page: reads the form, starts the training worker, draws its progress, offers the results.
import './style.css';
import { parseSettings, type Settings } from './settings';
import { renderCharts, type ChartState } from './ui/charts';
import { renderComparison, type DoneRun } from './ui/compare';
import { downloadText } from './ui/download';
import type { FromWorker, ResultFiles, ToWorker } from './training/types';

const $ = <T extends Element = HTMLElement>(sel: string): T => {
  const el = document.querySelector<T>(sel);
  if (!el) throw new Error(`page: missing element ${sel}`);
  return el;
};
const form = $<HTMLFormElement>('#settings');
const startBtn = $<HTMLButtonElement>('#start');
const stopBtn = $<HTMLButtonElement>('#stop');
const text = (sel: string, value: string): void => {
  $(sel).textContent = value;
};
const fmt = (v: number, digits = 4): string => (Number.isFinite(v) ? String(Number(v.toPrecision(digits))) : String(v));

type PageState = 'idle' | 'running' | 'stopping' | 'completed' | 'aborted' | 'diverged' | 'error';
function setState(s: PageState): void {
  document.body.dataset.state = s;
  text('#state', s);
  const busy = s === 'running' || s === 'stopping';
  startBtn.disabled = busy;
  stopBtn.disabled = s !== 'running';
  for (const el of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')) el.disabled = busy;
}

// --- form helpers
function readForm(): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const el of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input[name], select[name]')) raw[el.name] = el.value;
  return raw;
}
function syncFormVisibility(): void {
  const raw = readForm();
  $('#model-warning').hidden = raw.model !== 'resnet18';
  for (const el of form.querySelectorAll<HTMLElement>('[data-for]')) el.hidden = el.dataset.for !== raw.data;
}
/** Pre-fills the form from the query string, e.g. `?model=new&epochs=2&backend=wasm`. */
function applyQuery(params: URLSearchParams): void {
  for (const [k, v] of params) {
    const el = form.querySelector<HTMLInputElement | HTMLSelectElement>(`[name="${CSS.escape(k)}"]`);
    if (el) el.value = v;
  }
}

// --- run state
let worker: Worker | null = null;
let stopFlag: Int32Array | null = null;
let files: ResultFiles | null = null;
let backendInUse = '-';
const doneRuns: DoneRun[] = [];
let chart: ChartState = { epochs: 1, history: [], weights: [], batchLoss: [] };
let renderQueued = false;
function queueRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderCharts(chart);
  });
}

function addEpochRow(m: Extract<FromWorker, { type: 'epoch' }>): void {
  const r = m.record;
  const cells = [
    r.epoch,
    fmt(r.trainLoss),
    fmt(r.trainPenalty),
    fmt(r.trainAccuracy),
    fmt(r.valDataLoss),
    fmt(r.valAccuracy),
    m.weights ? fmt(m.weights.l1) : '-',
    m.weights ? fmt(m.weights.l2) : '-',
    m.weights ? fmt(m.weights.fractionNearZero) : '-',
    fmt(r.epochSeconds, 3),
    fmt(r.imagesPerSecond, 3),
  ];
  const tr = document.createElement('tr');
  tr.dataset.epoch = String(r.epoch);
  for (const c of cells) {
    const td = document.createElement('td');
    td.textContent = String(c);
    tr.append(td);
  }
  $('#epochs-table tbody').append(tr);
}

function onMessage(m: FromWorker): void {
  switch (m.type) {
    case 'backend':
      text('#backend', `${m.backend}${m.backend === 'wasm' && m.threads ? ` (${m.threads} thread${m.threads > 1 ? 's' : ''})` : ''} - ${m.reason}`);
      document.body.dataset.backend = m.backend;
      backendInUse = m.backend;
      break;
    case 'engine':
      text('#engine', Object.entries(m.parts).map(([k, v]) => `${k}: ${v}`).join(', '));
      break;
    case 'status':
      text('#progress-text', m.text);
      break;
    case 'data':
      text('#data-info', `${m.train} train / ${m.val} val images, ${m.classes} classes, ${m.imageSize}x${m.imageSize}`);
      break;
    case 'model':
      text('#model-info', `${m.name}, ${m.params.toLocaleString('en')} parameters`);
      break;
    case 'batch': {
      const p = $<HTMLProgressElement>('#progress');
      p.value = (m.epoch - 1 + m.batch / m.batches) / chart.epochs;
      text('#progress-text', `epoch ${m.epoch}/${chart.epochs}, batch ${m.batch}/${m.batches}, loss ${fmt(m.loss)}`);
      chart.batchLoss.push([m.epoch - 1 + m.batch / m.batches, m.loss]);
      queueRender();
      break;
    }
    case 'epoch': {
      chart.history.push(m.record);
      if (m.weights) chart.weights.push({ epoch: m.record.epoch, totals: m.weights });
      addEpochRow(m);
      const best = chart.history.reduce((b, r) => (r.valAccuracy > b.valAccuracy ? r : b));
      text('#best-val-accuracy', `${fmt(best.valAccuracy)} (epoch ${best.epoch})`);
      $('#best-val-accuracy').dataset.value = String(best.valAccuracy);
      queueRender();
      break;
    }
    case 'done':
      files = m.files;
      for (const id of ['#download-json', '#download-csv', '#download-config', '#download-status']) $<HTMLButtonElement>(id).disabled = false;
      text('#progress-text', `${m.status} after ${m.history.length} epoch(s) in ${fmt(m.seconds, 3)} s (run ${m.files.runId}; ${m.leakedTensors} tensors left)`);
      document.body.dataset.leakedTensors = String(m.leakedTensors);
      renderCharts(chart);
      doneRuns.push({ runId: m.files.runId, backend: backendInUse, status: m.status, seconds: m.seconds, history: m.history });
      renderComparison(doneRuns);
      setState(m.status);
      break;
    case 'error':
      $('#form-error').textContent = m.message;
      setState('error');
      break;
  }
}

function start(settings: Settings): void {
  files = null;
  chart = { epochs: settings.epochs, history: [], weights: [], batchLoss: [] };
  $('#epochs-table tbody').replaceChildren();
  for (const id of ['#download-json', '#download-csv', '#download-config', '#download-status']) $<HTMLButtonElement>(id).disabled = true;
  for (const id of ['#backend', '#engine', '#data-info', '#model-info', '#best-val-accuracy']) text(id, '-');
  delete $('#best-val-accuracy').dataset.value;
  $<HTMLProgressElement>('#progress').value = 0;
  renderCharts(chart);
  worker ??= new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'trainer' });
  worker.onmessage = (ev: MessageEvent<FromWorker>) => onMessage(ev.data);
  worker.onerror = (ev) => {
    // an uncaught error leaves the worker in an unknown state: the next run starts a fresh one
    $('#form-error').textContent = `worker: ${ev.message}`;
    worker?.terminate();
    worker = null;
    setState('error');
  };
  const shared = self.crossOriginIsolated ? new SharedArrayBuffer(4) : undefined;
  stopFlag = shared ? new Int32Array(shared) : null;
  const msg: ToWorker = {
    type: 'start',
    settings,
    wasmBaseUrl: new URL(`${import.meta.env.BASE_URL}tfjs-wasm/`, location.href).href,
    ...(shared ? { stopFlag: shared } : {}),
  };
  setState('running');
  worker.postMessage(msg);
}

function stop(): void {
  if (stopFlag) Atomics.store(stopFlag, 0, 1);
  worker?.postMessage({ type: 'stop' } satisfies ToWorker);
  setState('stopping');
}

// --- wiring
form.addEventListener('change', syncFormVisibility);
form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  $('#form-error').textContent = '';
  let settings: Settings;
  try {
    settings = parseSettings(readForm());
  } catch (e) {
    $('#form-error').textContent = e instanceof Error ? e.message : String(e);
    return;
  }
  start(settings);
});
stopBtn.addEventListener('click', stop);
$('#clear-runs').addEventListener('click', () => {
  doneRuns.length = 0;
  renderComparison(doneRuns);
});
const save = (name: keyof Omit<ResultFiles, 'runId'>, type: string) => () => {
  if (files) downloadText(name, files[name], type);
};
$('#download-json').addEventListener('click', save('history.json', 'application/json'));
$('#download-csv').addEventListener('click', save('history.csv', 'text/csv'));
$('#download-config').addEventListener('click', save('config.json', 'application/json'));
$('#download-status').addEventListener('click', save('status.json', 'application/json'));

text('#isolation', self.crossOriginIsolated ? 'cross-origin isolated (threaded wasm available)' : 'not isolated (wasm runs single-threaded)');
const params = new URLSearchParams(location.search);
applyQuery(params);
syncFormVisibility();
setState('idle');
renderCharts(chart);
renderComparison(doneRuns);
if (params.get('autostart') === '1') form.requestSubmit();
