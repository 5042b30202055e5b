/**
 * The report's chart, written as SVG by hand: per scenario a Sluice bar and a Flume bar of median
 * events/s with min–max whiskers, on a logarithmic axis (the scenarios span 10 k to 10 M events/s),
 * and Sluice's ratio to Flume under each group.
 */
import { formatRate } from './report.ts';
import type { ScenarioSummary } from './summary.ts';

const COLORS = { sluice: '#1f77b4', flume: '#d98c1f' } as const;
const GROUP = 130;
const BAR = 40;
const TOP = 50;
const PLOT = 300;
const LEFT = 70;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function chartSvg(scenarios: ScenarioSummary[], title: string): string {
  const shown = scenarios.filter((s) => s.summary.sluice || s.summary.flume);
  const values = shown.flatMap((s) => Object.values(s.summary).flatMap((v) => [v.eventsPerSec.min, v.eventsPerSec.max]));
  const lo = Math.floor(Math.log10(Math.max(1, Math.min(...values, 1e4))));
  const hi = Math.ceil(Math.log10(Math.max(...values, 1e5)));
  const y = (v: number) => TOP + PLOT - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * PLOT;
  const width = LEFT + Math.max(1, shown.length) * GROUP + 20;
  const height = TOP + PLOT + 70;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${LEFT}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<rect x="${width - 170}" y="10" width="10" height="10" fill="${COLORS.sluice}"/><text x="${width - 155}" y="19">Sluice</text>`,
    `<rect x="${width - 100}" y="10" width="10" height="10" fill="${COLORS.flume}"/><text x="${width - 85}" y="19">Flume 1.11</text>`,
  ];
  for (let p = lo; p <= hi; p++) {
    const gy = y(10 ** p);
    out.push(`<line x1="${LEFT}" x2="${width - 20}" y1="${gy}" y2="${gy}" stroke="#ddd"/>`);
    out.push(`<text x="${LEFT - 6}" y="${gy + 4}" text-anchor="end">${formatRate(10 ** p)}</text>`);
  }
  out.push(`<text x="14" y="${TOP + PLOT / 2}" transform="rotate(-90 14 ${TOP + PLOT / 2})" text-anchor="middle">events/s (log scale)</text>`);
  shown.forEach((sc, i) => {
    const x0 = LEFT + i * GROUP + (GROUP - 2 * BAR - 6) / 2;
    (['sluice', 'flume'] as const).forEach((impl, j) => {
      const s = sc.summary[impl];
      if (!s) return;
      const x = x0 + j * (BAR + 6);
      const top = y(s.eventsPerSec.median);
      const mid = x + BAR / 2;
      out.push(`<rect x="${x}" y="${top}" width="${BAR}" height="${TOP + PLOT - top}" fill="${COLORS[impl]}"/>`);
      out.push(`<line x1="${mid}" x2="${mid}" y1="${y(s.eventsPerSec.min)}" y2="${y(s.eventsPerSec.max)}" stroke="black"/>`);
      out.push(`<text x="${mid}" y="${y(s.eventsPerSec.max) - 4}" text-anchor="middle" font-size="10">${formatRate(s.eventsPerSec.median)}</text>`);
    });
    const cx = LEFT + i * GROUP + GROUP / 2;
    out.push(`<text x="${cx}" y="${TOP + PLOT + 16}" text-anchor="middle" font-weight="bold">${esc(sc.id)}</text>`);
    out.push(`<text x="${cx}" y="${TOP + PLOT + 30}" text-anchor="middle">${esc(sc.title.slice(0, 22))}</text>`);
    if (sc.ratios) out.push(`<text x="${cx}" y="${TOP + PLOT + 46}" text-anchor="middle">${sc.ratios.throughput.toFixed(2)}× Flume</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
