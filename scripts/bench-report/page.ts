/**
 * docs/benchmarks.md from one benchmark run: the page's hand-written top
 * (how to read the numbers, targets) is kept as it is; everything below the
 * marker line is rewritten from the run's tables, suite by suite.
 */
import type { BenchRun, BenchTable } from './bench-table.js';

/** The line below which bench/run.ts rewrites the page. */
export const GENERATED_MARKER = '<!-- Everything below is written by `npm run bench` (bench/run.ts); edit above this line. -->';

/** The top used when the page does not exist yet. */
const DEFAULT_TOP = '# Benchmarks\n\n`npm run bench` runs every suite and rewrites the tables below and the chart.\n';

/** The file name of the chart, relative to docs/. */
export const CHART_PATH = 'plots/bench/ratios.svg';

/** A heading per suite file (its anchor is what other pages link to); unknown suites keep their file name. */
const SUITE_HEADINGS: Readonly<Record<string, string>> = {
  core: 'In process', redis: 'Redis', memcached: 'Memcached', graphql: 'GraphQL', 'graphql-ws': 'graphql-ws',
  trpc: 'tRPC', metrics: 'Metrics', resilience: 'Resilience', strategies: 'Strategies',
  cost: 'Operation cost budgets',
};

function tableMarkdown(table: BenchTable): string {
  const lines = [`### ${table.title}`, '', `| ${table.header.join(' | ')} |`, `|${table.header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const row of table.rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

/**
 * The whole page: `previous` (the current file, or undefined) supplies the
 * top; `tables` and `run` the rest. `withChart` says whether the chart was written.
 */
export function renderBenchmarksPage(previous: string | undefined, tables: readonly BenchTable[], run: BenchRun, withChart: boolean): string {
  const at = previous?.indexOf(GENERATED_MARKER) ?? -1;
  const top = previous === undefined ? DEFAULT_TOP : at >= 0 ? previous.slice(0, at).trimEnd() + '\n' : previous.trimEnd() + '\n';
  const parts = [
    top, GENERATED_MARKER, '',
    `Latest run: ${run.date}, Node ${run.node}, ${run.duration}, ${run.machine}. Ours and the peers run in the same process, in interleaved rounds; read the ratios, not the absolute numbers.`,
    '',
  ];
  if (withChart) parts.push(`![Throughput as a multiple of each peer](${CHART_PATH})`, '');
  let suite: string | undefined;
  for (const table of tables) {
    if (table.suite !== suite) {
      suite = table.suite;
      parts.push(`## ${SUITE_HEADINGS[suite] ?? suite}`, '');
    }
    parts.push(tableMarkdown(table), '');
  }
  return parts.join('\n');
}
