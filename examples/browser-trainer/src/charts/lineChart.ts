// A dependency-free SVG line chart, rendered as markup so that it is testable without a DOM.

export interface Series {
  /** a stable id, written to `data-series` (e.g. "train-loss") */
  id: string;
  label: string;
  color: string;
  /** [x, y] points; non-finite y values are skipped */
  points: readonly (readonly [number, number])[];
  dashed?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  width?: number;
  height?: number;
  /** fixed y range, e.g. [0, 1] for accuracies; default: the data's range, padded */
  yDomain?: readonly [number, number];
  /** fixed minimum x range (e.g. [1, epochs]) so the axis does not jump while training */
  xDomain?: readonly [number, number];
}

const margin = { left: 48, right: 12, top: 24, bottom: 34 };

/** Maps `v` in [d0, d1] linearly onto [r0, r1]; a degenerate domain maps to the middle. */
export function scaleLinear(v: number, [d0, d1]: readonly [number, number], [r0, r1]: readonly [number, number]): number {
  if (d1 === d0) return (r0 + r1) / 2;
  return r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

/**
 * A label for a tick value that tells neighbouring ticks `step` apart: fixed notation with
 * ceil(-log10(step)) + 1 decimals, exponent notation for |v| >= 1e5; without a step, 4 significant digits.
 */
export function formatTick(v: number, step = 0): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (!(step > 0)) return a >= 1e5 || a < 1e-4 ? v.toExponential(3) : String(Number(v.toPrecision(4)));
  const stepDigits = Math.ceil(-Math.log10(step) + 1e-9);
  if (a >= 1e5) {
    const sig = Math.max(2, Math.ceil(Math.log10(a / step)) + 1);
    return v.toExponential(Math.min(sig - 1, 6));
  }
  const decimals = Math.min(Math.max(stepDigits + 1, 0), 8);
  return String(Number(v.toFixed(decimals)));
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function extent(values: number[], fallback: [number, number]): [number, number] {
  if (values.length === 0) return fallback;
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    lo -= Math.abs(lo) * 0.1 || 0.5;
    hi += Math.abs(hi) * 0.1 || 0.5;
  }
  return [lo, hi];
}

/**
 * Renders series as an SVG string: axes with 5 y ticks, one `<polyline data-series=id>` per
 * series (with `data-points` = the number of points drawn) and a `<circle>` at each point,
 * and a legend. Coordinates: x' = left + (x - x0) / (x1 - x0) * plotWidth, y' likewise, flipped.
 */
export function renderLineChart(series: readonly Series[], opts: ChartOptions): string {
  const width = opts.width ?? 420;
  const height = opts.height ?? 240;
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const clean = series.map((s) => ({ ...s, points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)) }));
  const xs = clean.flatMap((s) => s.points.map(([x]) => x));
  const ys = clean.flatMap((s) => s.points.map(([, y]) => y));
  const xd: [number, number] = opts.xDomain
    ? [Math.min(opts.xDomain[0], ...xs), Math.max(opts.xDomain[1], ...xs)]
    : extent(xs, [0, 1]);
  const yd = opts.yDomain ? ([...opts.yDomain] as [number, number]) : pad(extent(ys, [0, 1]));
  const sx = (x: number): number => scaleLinear(x, xd, [margin.left, margin.left + plotW]);
  const sy = (y: number): number => scaleLinear(y, yd, [margin.top + plotH, margin.top]);
  const f = (v: number): string => v.toFixed(1);

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" aria-label="${escapeXml(opts.title)}">`,
  );
  parts.push(`<text class="chart-title" x="${margin.left}" y="15" font-size="13" font-weight="600">${escapeXml(opts.title)}</text>`);
  // axes and y ticks
  parts.push(
    `<path class="axis" d="M${margin.left},${margin.top}V${margin.top + plotH}H${margin.left + plotW}" fill="none" stroke="#888"/>`,
  );
  for (let i = 0; i <= 4; i++) {
    const v = yd[0] + ((yd[1] - yd[0]) * i) / 4;
    const y = sy(v);
    parts.push(`<line x1="${margin.left - 4}" x2="${margin.left + plotW}" y1="${f(y)}" y2="${f(y)}" stroke="#eee"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${f(y + 4)}" font-size="10" text-anchor="end">${formatTick(v, (yd[1] - yd[0]) / 4)}</text>`);
  }
  const xTicks = xTickValues(xd);
  for (const v of xTicks) {
    parts.push(`<text x="${f(sx(v))}" y="${margin.top + plotH + 14}" font-size="10" text-anchor="middle">${formatTick(v)}</text>`);
  }
  parts.push(
    `<text x="${margin.left + plotW / 2}" y="${height - 4}" font-size="11" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`,
  );
  // series
  clean.forEach((s, i) => {
    const pts = s.points.map(([x, y]) => `${f(sx(x))},${f(sy(y))}`).join(' ');
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    parts.push(
      `<polyline data-series="${escapeXml(s.id)}" data-points="${s.points.length}" points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`,
    );
    for (const [x, y] of s.points) {
      parts.push(`<circle cx="${f(sx(x))}" cy="${f(sy(y))}" r="2.5" fill="${s.color}"><title>${escapeXml(s.label)}: ${formatTick(y)}</title></circle>`);
    }
    const lx = margin.left + 8 + i * Math.floor(plotW / Math.max(clean.length, 1));
    parts.push(`<line x1="${lx}" x2="${lx + 14}" y1="${margin.top + 6}" y2="${margin.top + 6}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    parts.push(`<text x="${lx + 18}" y="${margin.top + 10}" font-size="10">${escapeXml(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

function pad([lo, hi]: [number, number]): [number, number] {
  const p = (hi - lo) * 0.08;
  return [lo - p, hi + p];
}

/** Integer ticks when the x domain is small (epochs), else 5 evenly spaced values. */
function xTickValues([x0, x1]: [number, number]): number[] {
  if (Number.isInteger(x0) && Number.isInteger(x1) && x1 - x0 <= 12) {
    return Array.from({ length: x1 - x0 + 1 }, (_, i) => x0 + i);
  }
  return Array.from({ length: 5 }, (_, i) => x0 + ((x1 - x0) * i) / 4);
}
