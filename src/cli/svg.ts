/** A small dependency-free SVG line chart with interval bands, for docs/findings. */

export interface SvgSeries {
  name: string;
  color: string;
  points: { x: number; y: number; lo?: number; hi?: number }[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function ticks(lo: number, hi: number, n = 5): number[] {
  const span = hi - lo || 1;
  const step0 = span / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-12; t += step) out.push(Number(t.toPrecision(6)));
  return out;
}

/** `xTicks` names the x positions instead of numbering them (for named settings). */
export function lineChartSvg(o: { title: string; xLabel: string; yLabel: string; series: SvgSeries[]; percent?: boolean; zeroLine?: boolean; xTicks?: { x: number; label: string }[] }): string {
  const W = 560, H = 320, L = 64, R = 130, T = 34, B = 46;
  const pts = o.series.flatMap((s) => s.points);
  const xs = pts.map((p) => p.x);
  const ys = pts.flatMap((p) => [p.y, p.lo ?? p.y, p.hi ?? p.y]).concat(o.zeroLine ? [0] : []);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x0 === x1) { x0 -= 1; x1 += 1; }
  if (y0 === y1) { y0 -= 0.1; y1 += 0.1; }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad; y1 += pad;
  const sx = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const sy = (y: number) => H - B - ((y - y0) / (y1 - y0)) * (H - T - B);
  const fmt = (v: number) => (o.percent ? `${(v * 100).toFixed(0)}%` : String(Number(v.toPrecision(3))));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="11">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  parts.push(`<text x="${L}" y="18" font-size="13" font-weight="600">${esc(o.title)}</text>`);
  for (const t of ticks(y0, y1)) {
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e3e7ec"/><text x="${L - 6}" y="${sy(t) + 4}" text-anchor="end" fill="#555">${fmt(t)}</text>`);
  }
  for (const t of o.xTicks ?? ticks(x0, x1).map((x) => ({ x, label: String(Number(x.toPrecision(3))) }))) {
    parts.push(`<line x1="${sx(t.x)}" x2="${sx(t.x)}" y1="${H - B}" y2="${H - B + 4}" stroke="#555"/><text x="${sx(t.x)}" y="${H - B + 16}" text-anchor="middle" fill="#555">${esc(t.label)}</text>`);
  }
  if (o.zeroLine && y0 < 0 && y1 > 0) parts.push(`<line x1="${L}" x2="${W - R}" y1="${sy(0)}" y2="${sy(0)}" stroke="#888" stroke-dasharray="4 3"/>`);
  parts.push(`<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#555"/><line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="#555"/>`);
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 10}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  o.series.forEach((s, i) => {
    const ps = [...s.points].sort((a, b) => a.x - b.x);
    const band = ps.filter((p) => p.lo !== undefined && p.hi !== undefined);
    if (band.length > 1) {
      const up = band.map((p) => `${sx(p.x)},${sy(p.hi!)}`);
      const down = [...band].reverse().map((p) => `${sx(p.x)},${sy(p.lo!)}`);
      parts.push(`<polygon points="${[...up, ...down].join(' ')}" fill="${s.color}" fill-opacity="0.14" stroke="none"/>`);
    }
    parts.push(`<polyline points="${ps.map((p) => `${sx(p.x)},${sy(p.y)}`).join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const p of ps) parts.push(`<circle cx="${sx(p.x)}" cy="${sy(p.y)}" r="3.5" fill="${s.color}"/>`);
    parts.push(`<rect x="${W - R + 12}" y="${T + i * 18}" width="12" height="3" fill="${s.color}"/><text x="${W - R + 28}" y="${T + i * 18 + 5}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
