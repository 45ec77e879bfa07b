/**
 * Small benchmark helpers shared by the suites in bench/suites: time a
 * function for a fixed duration (serially or with N calls in flight) and
 * print side-by-side tables with ratios. Every printed table is also
 * recorded (`recordedTables`), so bench/run.ts can write docs/benchmarks.md
 * and its chart from the same run.
 */
import type { BenchTable } from '../scripts/bench-report/bench-table.js';

const recorded: BenchTable[] = [];
let currentSuite = '';

/** Names the suite whose tables are printed next (bench/run.ts calls it before each suite). */
export function beginSuite(name: string): void {
  currentSuite = name;
}

/** Every table printed so far, in order. */
export function recordedTables(): readonly BenchTable[] {
  return recorded;
}

/** One measured row. */
export interface Measurement {
  name: string;
  opsPerSec: number;
  /** Mean latency of one call in microseconds. */
  meanUs: number;
}

/** Options of `measure`. */
export interface MeasureOptions {
  /** How long to run after warm-up, ms (default 1500; BENCH_MS overrides). */
  durationMs?: number;
  /** Calls kept in flight at once (default 1: serial). */
  concurrency?: number;
  /** Warm-up time, ms (default 300). */
  warmupMs?: number;
}

const defaultDuration = Number(process.env.BENCH_MS ?? 1500);

/** Runs `fn` repeatedly and returns its throughput. `fn(i)` gets the call's index. */
export async function measure(name: string, fn: (i: number) => unknown, options: MeasureOptions = {}): Promise<Measurement> {
  const { durationMs = defaultDuration, concurrency = 1, warmupMs = 300 } = options;
  let i = 0;
  const runFor = async (ms: number): Promise<number> => {
    const end = performance.now() + ms;
    let count = 0;
    const worker = async () => {
      // Check the clock every 64 calls to keep timing overhead out of the loop.
      for (;;) {
        for (let k = 0; k < 64; k++) {
          await fn(i++);
          count++;
        }
        if (performance.now() >= end) return;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return count;
  };
  await runFor(warmupMs);
  const start = performance.now();
  const count = await runFor(durationMs);
  const elapsed = performance.now() - start;
  const opsPerSec = (count / elapsed) * 1000;
  return { name, opsPerSec, meanUs: (elapsed * 1000 * concurrency) / count };
}

function formatOps(ops: number): string {
  return ops >= 1e6 ? `${(ops / 1e6).toFixed(2)}M` : ops >= 1e3 ? `${(ops / 1e3).toFixed(1)}k` : ops.toFixed(0);
}

/**
 * Prints a Markdown table: each row's ops/s, mean latency and its ratio to
 * `baseline` (a row name; ratio = row / baseline).
 */
export function printTable(title: string, rows: readonly Measurement[], baseline?: string): void {
  const base = baseline === undefined ? undefined : rows.find((r) => r.name === baseline);
  const header = ['case', 'ops/s', 'mean µs', base ? `vs ${base.name}` : ''];
  const cells = rows.map((row) => [
    row.name, formatOps(row.opsPerSec), row.meanUs.toFixed(1), base ? `${(row.opsPerSec / base.opsPerSec).toFixed(2)}x` : '',
  ]);
  console.log(`\n### ${title}\n`);
  console.log(`| ${header.join(' | ')} |`);
  console.log('|---|---:|---:|---:|');
  for (const row of cells) console.log(`| ${row.join(' | ')} |`);
  recorded.push({
    suite: currentSuite, title, header, rows: cells,
    ...(base ? { ratios: { baseline: base.name, values: rows.map((row) => ({ name: row.name, ratio: row.opsPerSec / base.opsPerSec })) } } : {}),
  });
}

/** Prints a Markdown table from ready-made cells (for comparisons that are not one baseline). */
export function printGrid(title: string, header: readonly string[], rows: readonly (readonly string[])[]): void {
  console.log(`\n### ${title}\n`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  recorded.push({ suite: currentSuite, title, header: [...header], rows: rows.map((row) => [...row]) });
}

/** ops/s formatted as in the tables. */
export { formatOps };
