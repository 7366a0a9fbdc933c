// Inline SVG charts, coloured by CSS classes (theme variables), no chart library.
import { s } from './dom.ts';

const W = 320;
const H = 90;
const PAD_L = 40;
const PAD_B = 14;

export interface BarPoint {
  label: string;
  value: number;
  /** Part of `value` drawn as errors. */
  errors?: number;
}

export function barChart(points: readonly BarPoint[], title: string): SVGElement {
  const max = Math.max(1, ...points.map((p) => p.value));
  const plotW = W - PAD_L;
  const plotH = H - PAD_B;
  const bw = plotW / Math.max(1, points.length);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title }, s('title', {}, title));
  svg.append(axis(max, plotH));
  points.forEach((p, i) => {
    const hTotal = (p.value / max) * plotH;
    const hErr = ((p.errors ?? 0) / max) * plotH;
    const x = PAD_L + i * bw + 1;
    const w = Math.max(1, bw - 2);
    if (hTotal > 0) svg.append(s('rect', { x, y: plotH - hTotal, width: w, height: hTotal - hErr, class: 'bar' }, s('title', {}, `${p.label}: ${p.value}`)));
    if (hErr > 0) svg.append(s('rect', { x, y: plotH - hErr, width: w, height: hErr, class: 'bar-error' }, s('title', {}, `${p.label}: ${p.errors} errors`)));
  });
  return svg;
}

export interface LineSeries {
  name: string;
  className: string;
  values: readonly (number | null)[];
}

export function lineChart(series: readonly LineSeries[], title: string, unit: string): SVGElement {
  const all = series.flatMap((x) => x.values.filter((v): v is number => v !== null));
  const max = Math.max(1, ...all);
  const n = Math.max(2, ...series.map((x) => x.values.length));
  const plotW = W - PAD_L;
  const plotH = H - PAD_B;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title }, s('title', {}, title));
  svg.append(axis(max, plotH, unit));
  for (const ser of series) {
    let d = '';
    let pen = false;
    ser.values.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      const x = PAD_L + (i / (n - 1)) * plotW;
      const y = plotH - (v / max) * plotH;
      d += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)} `;
      pen = true;
    });
    if (d) svg.append(s('path', { d: d.trim(), class: `line ${ser.className}`, fill: 'none' }, s('title', {}, ser.name)));
    // Dots too, so a lone sample (no neighbour to draw a line to) is still visible.
    ser.values.forEach((v, i) => {
      if (v === null) return;
      const x = PAD_L + (i / (n - 1)) * plotW;
      const y = plotH - (v / max) * plotH;
      svg.append(
        s(
          'circle',
          { cx: x.toFixed(1), cy: y.toFixed(1), r: 1.8, class: `dot-point ${ser.className}` },
          s('title', {}, `${ser.name}: ${Math.round(v)}${unit}`),
        ),
      );
    });
  }
  return svg;
}

function axis(max: number, plotH: number, unit = ''): SVGElement {
  const g = s('g', { class: 'axis' });
  g.append(s('line', { x1: PAD_L, y1: plotH, x2: W, y2: plotH }));
  g.append(s('text', { x: PAD_L - 3, y: 9, 'text-anchor': 'end' }, `${compact(max)}${unit}`));
  g.append(s('text', { x: PAD_L - 3, y: plotH, 'text-anchor': 'end' }, '0'));
  return g;
}

function compact(n: number): string {
  if (n >= 10_000) return `${Math.round(n / 1000)}k`;
  if (n >= 1000) return `${(n / 1000).toFixed(1)}k`;
  return String(Math.round(n));
}

/** A horizontal usage bar (used/limit) as SVG, so no inline width style is needed. */
export function usageBar(used: number, limit: number, label: string): SVGElement {
  const frac = limit > 0 ? Math.min(1, used / limit) : 0;
  const cls = frac >= 0.9 ? 'usage-fill high' : frac >= 0.7 ? 'usage-fill mid' : 'usage-fill';
  return s(
    'svg',
    { viewBox: '0 0 100 6', class: 'usage', preserveAspectRatio: 'none', role: 'img', 'aria-label': label },
    s('rect', { x: 0, y: 0, width: 100, height: 6, class: 'usage-track' }),
    s('rect', { x: 0, y: 0, width: (frac * 100).toFixed(2), height: 6, class: cls }),
  );
}
