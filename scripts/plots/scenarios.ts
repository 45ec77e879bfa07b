/**
 * The traffic every strategy is drawn under: the same rate and the same hit
 * times for all, so the pictures compare side by side.
 */

/** The rate of every scenario. */
export const PLOT_RATE = '10/second';
/** Its period in ms (the dashed lines of the charts). */
export const PLOT_PERIOD_MS = 1000;

/** One traffic pattern. */
export interface Scenario {
  /** File name part, e.g. `burst`. */
  readonly slug: string;
  /** Heading in the guide, e.g. "A burst of 3x the limit". */
  readonly title: string;
  /** The chart's time axis length, ms. */
  readonly durationMs: number;
  /** When each hit (cost 1) arrives, ms since the start; the start is aligned to a period. */
  readonly hitTimesMs: readonly number[];
}

/** `count` hits `spacingMs` apart from `fromMs`. */
function run(fromMs: number, count: number, spacingMs: number): number[] {
  return Array.from({ length: count }, (_, i) => fromMs + i * spacingMs);
}

/** The four scenarios of issue 18, in the guide's order. */
export const scenarios: readonly Scenario[] = [
  { slug: 'burst', title: 'A burst of 3x the limit (30 hits, 20 ms apart)', durationMs: 2500, hitTimesMs: run(100, 30, 20) },
  {
    slug: 'steady', title: 'Steady traffic at 1.5x the rate (15 hits per second)', durationMs: 2500,
    hitTimesMs: Array.from({ length: 38 }, (_, i) => Math.floor((i * 1000) / 15)),
  },
  {
    slug: 'quiet-then-burst', title: 'A few hits, a quiet second, then a burst of 30', durationMs: 2500,
    hitTimesMs: [...run(0, 3, 200), ...run(1200, 30, 20)],
  },
  { slug: 'window-boundary', title: 'Twice the limit across a window edge (20 hits, 800-1180 ms)', durationMs: 2500, hitTimesMs: run(800, 20, 20) },
];
