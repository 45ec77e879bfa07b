/**
 * The chart of docs/benchmarks.md: for every table that holds a peer
 * library's row, one horizontal bar per row of ours (rows named `traffik ...`), its throughput as a
 * multiple of the peer's on a log scale, with the 1x line marked. Plain SVG;
 * the same tables always give the same text.
 */
import { ratiosToPeer, type BenchTable } from './bench-table.js';

const WIDTH = 860;
const LABEL_WIDTH = 330;
const RIGHT = 70;
const BAR = 14;
const GAP = 4;
const GROUP_GAP = 30;
const TOP = 58;
const TICKS = [0.25, 0.5, 1, 2, 5, 10, 20, 50, 100];

function num(x: number): string {
  const r = Math.round(x * 10) / 10;
  return Object.is(r, -0) ? '0' : String(r);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A label cut to `max` characters. */
function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The SVG text, or `undefined` when no table compares with a peer. */
export function renderRatioChart(tables: readonly BenchTable[]): string | undefined {
  const groups = tables.flatMap((table) => {
    const toPeer = ratiosToPeer(table);
    const bars = toPeer?.values.filter((v) => Number.isFinite(v.ratio) && v.ratio > 0) ?? [];
    return toPeer === undefined || bars.length === 0 ? [] : [{ title: `${table.suite}: ${table.title}`, peer: toPeer.peer, bars }];
  });
  if (groups.length === 0) return undefined;
  const ratios = groups.flatMap((g) => g.bars.map((b) => b.ratio));
  const low = Math.min(0.5, ...ratios);
  const high = Math.max(2, ...ratios);
  const ticks = TICKS.filter((t) => t >= low / 1.0001 && t <= high * 2);
  const min = Math.min(ticks[0]!, low);
  const max = Math.max(ticks[ticks.length - 1]!, high);
  const plotWidth = WIDTH - LABEL_WIDTH - RIGHT;
  const x = (ratio: number) => LABEL_WIDTH + ((Math.log(ratio) - Math.log(min)) / (Math.log(max) - Math.log(min))) * plotWidth;
  const out: string[] = [];
  let y = TOP;
  for (const group of groups) {
    y += GROUP_GAP + 16;
    out.push(`<text x="10" y="${num(y - 26)}" font-weight="bold">${escapeXml(cut(group.title, 115))}</text>`);
    out.push(`<text x="10" y="${num(y - 10)}" fill="#555555">against ${escapeXml(cut(group.peer, 100))}</text>`);
    for (const bar of group.bars) {
      const better = bar.ratio >= 1;
      out.push(`<text x="${LABEL_WIDTH - 8}" y="${num(y + BAR - 3)}" text-anchor="end">${escapeXml(cut(bar.name, 48))}</text>`);
      const from = x(1);
      const to = x(bar.ratio);
      out.push(`<rect x="${num(Math.min(from, to))}" y="${num(y)}" width="${num(Math.max(1, Math.abs(to - from)))}" height="${BAR}" fill="${better ? '#1d4f91' : '#c77c0e'}"${better ? '' : ' fill-opacity="0.85"'}/>`);
      out.push(better
        ? `<text x="${num(to + 5)}" y="${num(y + BAR - 3)}">${bar.ratio.toFixed(2)}x</text>`
        : `<text x="${num(from + 5)}" y="${num(y + BAR - 3)}">${bar.ratio.toFixed(2)}x</text>`);
      y += BAR + GAP;
    }
  }
  const bottom = y + 8;
  const axis: string[] = [];
  for (const t of ticks) {
    axis.push(`<line x1="${num(x(t))}" y1="${TOP}" x2="${num(x(t))}" y2="${num(bottom)}" stroke="${t === 1 ? '#222222' : '#dddddd'}"${t === 1 ? ' stroke-width="1.5"' : ''}/>`);
    axis.push(`<text x="${num(x(t))}" y="${num(bottom + 16)}" text-anchor="middle">${t}x</text>`);
  }
  const height = bottom + 44;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${num(height)}" viewBox="0 0 ${WIDTH} ${num(height)}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="12" fill="#222222">`,
    '<title>Traffik throughput as a multiple of each peer library, per benchmark table</title>',
    `<rect width="${WIDTH}" height="${num(height)}" fill="#ffffff"/>`,
    '<text x="10" y="22" font-size="15" font-weight="bold">Throughput as a multiple of the peer (log scale; right of 1x: faster)</text>',
    '<text x="10" y="40">Each group is one table of docs/benchmarks.md, ours beside the peer in the same run.</text>',
    ...axis,
    ...out,
    `<text x="${num(LABEL_WIDTH + plotWidth / 2)}" y="${num(bottom + 36)}" text-anchor="middle">ops/s of the row ÷ ops/s of the peer</text>`,
    '</svg>',
  ].join('\n') + '\n';
}
