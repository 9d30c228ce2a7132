import { describe, expect, it } from 'vitest';
import { formatTick, renderLineChart, scaleLinear } from '../src/charts/lineChart';

describe('scaleLinear', () => {
  it('maps a domain onto a range, flipped ranges included', () => {
    expect(scaleLinear(5, [0, 10], [0, 100])).toBe(50);
    expect(scaleLinear(2, [1, 3], [200, 100])).toBe(150);
    expect(scaleLinear(1, [1, 1], [0, 10])).toBe(5); // degenerate domain: the middle
  });
});

describe('formatTick', () => {
  it('keeps enough decimals to tell ticks `step` apart', () => {
    expect(formatTick(0.5, 0.25)).toBe('0.5');
    expect(formatTick(0.75, 0.25)).toBe('0.75');
    expect(formatTick(36955.25, 2.5)).toBe('36955.3');
    expect(formatTick(123456, 1000)).toBe('1.235e+5');
  });
  it('uses 4 significant digits without a step', () => {
    expect(formatTick(0)).toBe('0');
    expect(formatTick(2)).toBe('2');
    expect(formatTick(0.123456)).toBe('0.1235');
    expect(formatTick(0.00012)).toBe('0.00012');
    expect(formatTick(0.00002)).toBe('2.000e-5');
  });
});

describe('renderLineChart', () => {
  // default size 420 x 240, margins left 48, right 12, top 24, bottom 34: plot 360 x 182
  const svg = renderLineChart(
    [
      { id: 'val-accuracy', label: 'val', color: '#d00', points: [[1, 0], [2, 1]] },
      { id: 'broken', label: 'nan', color: '#000', points: [[1, Number.NaN]] },
    ],
    { title: 'Accuracy <&>', xLabel: 'epoch', yDomain: [0, 1] },
  );
  it('places points by hand-computed coordinates', () => {
    expect(svg).toContain('<polyline data-series="val-accuracy" data-points="2" points="48.0,206.0 408.0,24.0"');
  });
  it('skips non-finite points and escapes text', () => {
    expect(svg).toContain('data-series="broken" data-points="0" points=""');
    expect(svg).toContain('Accuracy &lt;&amp;&gt;');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
  });
  it('draws a circle per point and 5 y ticks', () => {
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg.match(/stroke="#eee"/g)).toHaveLength(5);
  });
  it('keeps a fixed x domain as it is when the points fit in it (integer epoch ticks)', () => {
    const one = renderLineChart([{ id: 's', label: 's', color: '#000', points: [[1, 0.5]] }], { title: 't', xLabel: 'epoch', xDomain: [0, 1], yDomain: [0, 1] });
    // x = 1 is the right end of the plot (48 + 360), y = 0.5 its middle (24 + 182 / 2)
    expect(one).toContain('points="408.0,115.0"');
    const xTicks = [...one.matchAll(/text-anchor="middle">([^<]*)</g)].map((m) => m[1]);
    expect(xTicks).toEqual(['0', '1', 'epoch']);
  });
});
