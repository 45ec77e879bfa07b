/**
 * `npm run bench` rewrites docs/benchmarks.md and its ratio chart from the
 * tables the suites print: tested here on a small made-up run (the real
 * benchmark takes minutes), through the same printTable/printGrid the suites use.
 */
import { describe, expect, it, vi } from 'vitest';
import { beginSuite, printGrid, printTable, recordedTables } from '../../bench/lib.js';
import { GENERATED_MARKER, renderBenchmarksPage } from '../../scripts/bench-report/page.js';
import { renderRatioChart } from '../../scripts/bench-report/ratio-chart.js';

const run = { node: 'v20.20.0', duration: 'BENCH_MS=300', machine: '2 cores', date: '2026-12-03' };

describe('benchmark report', () => {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  beginSuite('core');
  printTable('one key, serial', [
    { name: 'rate-limiter-flexible RateLimiterMemory', opsPerSec: 5e6, meanUs: 0.2 },
    { name: 'traffik fixed window', opsPerSec: 1e7, meanUs: 0.1 },
    { name: 'traffik sliding window log', opsPerSec: 4e6, meanUs: 0.25 },
  ], 'rate-limiter-flexible RateLimiterMemory');
  beginSuite('redis');
  printGrid('Redis summary', ['strategy', 'vs peer'], [['fixed window', '1.47x']]);
  printTable('Redis, serial (ratio to the floor)', [
    { name: 'floor: EVALSHA of INCR', opsPerSec: 40e3, meanUs: 25 },
    { name: 'rate-limiter-flexible RateLimiterRedis', opsPerSec: 20e3, meanUs: 50 },
    { name: 'traffik fixed window', opsPerSec: 30e3, meanUs: 33 },
  ], 'floor: EVALSHA of INCR');
  beginSuite('strategies');
  printTable('against our own fixed window', [
    { name: 'traffik fixed window', opsPerSec: 2e6, meanUs: 0.5 },
    { name: 'traffik priority', opsPerSec: 1e6, meanUs: 1 },
    { name: 'rate-limiter-flexible RateLimiterMemory', opsPerSec: 4e6, meanUs: 0.25 },
  ], 'traffik fixed window');
  const tables = recordedTables();

  it('records every table the suites print, with its suite and ratios', () => {
    expect(tables.map((t) => [t.suite, t.title])).toEqual([
      ['core', 'one key, serial'], ['redis', 'Redis summary'], ['redis', 'Redis, serial (ratio to the floor)'],
      ['strategies', 'against our own fixed window'],
    ]);
    expect(tables[0]!.rows[1]).toEqual(['traffik fixed window', '10.00M', '0.1', '2.00x']);
    expect(tables[0]!.ratios?.values.map((v) => v.ratio)).toEqual([1, 2, 0.8]);
    expect(tables[1]!.ratios).toBeUndefined();
  });

  it('keeps the hand-written top of the page and rewrites the tables below the marker', () => {
    const previous = `# Benchmarks\n\nHow to read them.\n\n${GENERATED_MARKER}\n\n## Old\n\n| stale | table |\n`;
    const page = renderBenchmarksPage(previous, tables, run, true);
    expect(page.startsWith('# Benchmarks\n\nHow to read them.\n')).toBe(true);
    expect(page.split(GENERATED_MARKER)).toHaveLength(2);
    expect(page).not.toContain('stale');
    expect(page).toContain('Latest run: 2026-12-03, Node v20.20.0, BENCH_MS=300, 2 cores.');
    expect(page).toContain('![Throughput as a multiple of each peer](plots/bench/ratios.svg)');
    expect(page).toContain('## In process\n\n### one key, serial\n\n| case | ops/s | mean µs | vs rate-limiter-flexible RateLimiterMemory |\n|---|---:|---:|---:|\n');
    expect(page).toContain('| traffik fixed window | 10.00M | 0.1 | 2.00x |');
    expect(page).toContain('## Redis\n');
    expect(page).toContain('## Strategies\n');
    expect(renderBenchmarksPage(page, tables, run, true)).toBe(page);
  });

  it('charts our rows against each peer (rebased on the peer when the baseline is a floor; never against ourselves), the same way every time', () => {
    const chart = renderRatioChart(tables)!;
    expect(chart).toContain('against rate-limiter-flexible RateLimiterMemory');
    expect(chart).toContain('>2.00x</text>');
    expect(chart).toContain('>0.80x</text>');
    expect(chart).not.toContain('traffik priority');
    expect(chart).not.toContain('>rate-limiter-flexible RateLimiterMemory</text>');
    expect(renderRatioChart(tables)).toBe(chart);
    expect(chart).toContain('against rate-limiter-flexible RateLimiterRedis');
    expect(chart).toContain('>1.50x</text>');
    expect(chart).not.toContain('floor: EVALSHA');
    expect(renderRatioChart(tables.filter((t) => t.suite === 'strategies'))).toBeUndefined();
  });
});
