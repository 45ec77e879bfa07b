/**
 * A small SVG writer for one strategy timeline: hits on a time line (allowed
 * as filled circles, denied as crosses, on separate rows, so shape and row
 * tell them apart without colour) above a line of the strategy's state.
 * Pure: the same data always gives the same text (no timestamps, fixed
 * number formatting), which the drift test relies on.
 */

/** One hit on the time line. */
export interface PlottedHit {
  /** Milliseconds since the scenario's start. */
  readonly t: number;
  readonly allowed: boolean;
}

/** One sample of the state line. */
export interface StatePoint {
  /** Milliseconds since the scenario's start. */
  readonly t: number;
  readonly value: number;
}

/** Everything one chart shows. */
export interface TimelineChart {
  /** First line of the heading, e.g. "Token bucket (burst 10)". */
  readonly title: string;
  /** Second line, e.g. "burst of 30 hits at 10/second: 20 allowed, 10 denied". */
  readonly subtitle: string;
  /** The time axis runs from 0 to this many ms. */
  readonly durationMs: number;
  /** Dashed vertical lines at these times (window edges), ms since start. */
  readonly boundariesMs: readonly number[];
  readonly hits: readonly PlottedHit[];
  /** The state's name on its axis, e.g. "tokens". */
  readonly stateLabel: string;
  readonly state: readonly StatePoint[];
}

const WIDTH = 720;
const HEIGHT = 330;
const LEFT = 92;
const RIGHT = 24;
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;
const ALLOWED_ROW = 84;
const DENIED_ROW = 108;
const STATE_TOP = 136;
const STATE_BOTTOM = 272;
const ALLOWED_COLOUR = '#1b7a33';
const DENIED_COLOUR = '#c0262d';
const STATE_COLOUR = '#1d4f91';
const GRID_COLOUR = '#d6d6d6';
const TEXT_COLOUR = '#222222';

/** A coordinate with at most one decimal, written the same way every run. */
function num(x: number): string {
  const rounded = Math.round(x * 10) / 10;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** Escapes text for an SVG text node or attribute. */
function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A round step (1, 2, 5 x 10^k) so that `span` takes about `count` steps. */
function niceStep(span: number, count: number): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

/** A label for an axis value: whole numbers plainly, others to at most 2 decimals. */
function axisLabel(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
}

function timeAxis(chart: TimelineChart, x: (t: number) => number): string[] {
  const out: string[] = [];
  const step = niceStep(chart.durationMs, 6);
  for (let t = 0; t <= chart.durationMs + 1e-9; t += step) {
    out.push(`<line x1="${num(x(t))}" y1="${STATE_BOTTOM}" x2="${num(x(t))}" y2="${STATE_BOTTOM + 5}" stroke="${TEXT_COLOUR}"/>`);
    out.push(`<text x="${num(x(t))}" y="${STATE_BOTTOM + 19}" text-anchor="middle">${axisLabel(t)}</text>`);
  }
  out.push(`<line x1="${LEFT}" y1="${STATE_BOTTOM}" x2="${LEFT + PLOT_WIDTH}" y2="${STATE_BOTTOM}" stroke="${TEXT_COLOUR}"/>`);
  out.push(`<text x="${num(LEFT + PLOT_WIDTH / 2)}" y="${STATE_BOTTOM + 40}" text-anchor="middle">time (ms)</text>`);
  return out;
}

function hitMarks(chart: TimelineChart, x: (t: number) => number): string[] {
  const out: string[] = [
    `<text x="${LEFT - 10}" y="${ALLOWED_ROW + 4}" text-anchor="end">allowed</text>`,
    `<text x="${LEFT - 10}" y="${DENIED_ROW + 4}" text-anchor="end">denied</text>`,
    `<line x1="${LEFT}" y1="${ALLOWED_ROW}" x2="${LEFT + PLOT_WIDTH}" y2="${ALLOWED_ROW}" stroke="${GRID_COLOUR}"/>`,
    `<line x1="${LEFT}" y1="${DENIED_ROW}" x2="${LEFT + PLOT_WIDTH}" y2="${DENIED_ROW}" stroke="${GRID_COLOUR}"/>`,
  ];
  for (const hit of chart.hits) {
    const cx = x(hit.t);
    if (hit.allowed) {
      out.push(`<circle cx="${num(cx)}" cy="${ALLOWED_ROW}" r="3.5" fill="${ALLOWED_COLOUR}"/>`);
    } else {
      const d = 3.5;
      out.push(
        `<path d="M${num(cx - d)} ${num(DENIED_ROW - d)}L${num(cx + d)} ${num(DENIED_ROW + d)}M${num(cx - d)} ${num(DENIED_ROW + d)}L${num(cx + d)} ${num(DENIED_ROW - d)}" stroke="${DENIED_COLOUR}" stroke-width="1.8"/>`,
      );
    }
  }
  return out;
}

function stateLine(chart: TimelineChart, x: (t: number) => number): string[] {
  const values = chart.state.map((p) => p.value);
  const low = Math.min(0, ...values);
  const high = Math.max(1, ...values);
  const step = niceStep(high - low, 4);
  const bottom = Math.floor(low / step) * step;
  const top = Math.ceil(high / step) * step;
  const y = (v: number) => STATE_BOTTOM - ((v - bottom) / (top - bottom)) * (STATE_BOTTOM - STATE_TOP);
  const out: string[] = [];
  for (let v = bottom; v <= top + step / 1e6; v += step) {
    out.push(`<line x1="${LEFT}" y1="${num(y(v))}" x2="${LEFT + PLOT_WIDTH}" y2="${num(y(v))}" stroke="${GRID_COLOUR}"/>`);
    out.push(`<text x="${LEFT - 8}" y="${num(y(v) + 4)}" text-anchor="end">${axisLabel(v)}</text>`);
  }
  out.push(`<line x1="${LEFT}" y1="${STATE_TOP}" x2="${LEFT}" y2="${STATE_BOTTOM}" stroke="${TEXT_COLOUR}"/>`);
  const middle = (STATE_TOP + STATE_BOTTOM) / 2;
  out.push(`<text x="18" y="${num(middle)}" text-anchor="middle" transform="rotate(-90 18 ${num(middle)})">${escapeXml(chart.stateLabel)}</text>`);
  const d = chart.state.map((p, i) => `${i === 0 ? 'M' : 'L'}${num(x(p.t))} ${num(y(p.value))}`).join('');
  out.push(`<path d="${d}" fill="none" stroke="${STATE_COLOUR}" stroke-width="2"/>`);
  return out;
}

function legend(): string[] {
  const x = LEFT;
  return [
    `<circle cx="${x + 4}" cy="54" r="3.5" fill="${ALLOWED_COLOUR}"/>`,
    `<text x="${x + 12}" y="58">allowed hit</text>`,
    `<path d="M${x + 92.5} 50.5L${x + 99.5} 57.5M${x + 92.5} 57.5L${x + 99.5} 50.5" stroke="${DENIED_COLOUR}" stroke-width="1.8"/>`,
    `<text x="${x + 108}" y="58">denied hit</text>`,
    `<line x1="${x + 186}" y1="54" x2="${x + 204}" y2="54" stroke="${STATE_COLOUR}" stroke-width="2"/>`,
    `<text x="${x + 210}" y="58">state (Throttle.stats)</text>`,
    `<line x1="${x + 370}" y1="48" x2="${x + 370}" y2="60" stroke="#8a8a8a" stroke-dasharray="3 3"/>`,
    `<text x="${x + 377}" y="58">period edge (epoch-aligned)</text>`,
  ];
}

/** The chart as an SVG document (UTF-8 text ending in a newline). */
export function renderTimeline(chart: TimelineChart): string {
  const x = (t: number) => LEFT + (t / chart.durationMs) * PLOT_WIDTH;
  const boundaries = chart.boundariesMs
    .filter((t) => t > 0 && t < chart.durationMs)
    .map((t) => `<line x1="${num(x(t))}" y1="70" x2="${num(x(t))}" y2="${STATE_BOTTOM}" stroke="#8a8a8a" stroke-dasharray="3 3"/>`);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="12" fill="${TEXT_COLOUR}">`,
    `<title>${escapeXml(`${chart.title}: ${chart.subtitle}`)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="22" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`,
    `<text x="${LEFT}" y="40">${escapeXml(chart.subtitle)}</text>`,
    ...legend(),
    ...boundaries,
    ...hitMarks(chart, x),
    ...stateLine(chart, x),
    ...timeAxis(chart, x),
    '</svg>',
  ];
  return parts.join('\n') + '\n';
}
