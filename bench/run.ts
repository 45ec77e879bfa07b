/**
 * `npm run bench [-- name ...] [-- --write-docs]`: runs every suite in
 * bench/suites (or those whose file name contains one of the given names),
 * one after another, each printing Markdown tables with ours and the peers
 * side by side. A full run (no names), or one given `--write-docs`, then
 * rewrites the tables of docs/benchmarks.md and its chart from this run.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CHART_PATH, renderBenchmarksPage } from '../scripts/bench-report/page.js';
import { renderRatioChart } from '../scripts/bench-report/ratio-chart.js';
import { beginSuite, recordedTables } from './lib.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith('--'));
const writeDocs = filters.length === 0 || args.includes('--write-docs');
const suites = readdirSync(join(here, 'suites'))
  .filter((file) => file.endsWith('.ts'))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();

const started = new Date();
console.log(`# Traffik benchmarks (node ${process.version}, ${started.toISOString()})`);
for (const file of suites) {
  const suite = (await import(pathToFileURL(join(here, 'suites', file)).href)) as { default: () => Promise<void> };
  const name = file.replace(/\.ts$/, '');
  console.log(`\n## ${name}`);
  beginSuite(name);
  await suite.default();
}

if (writeDocs) {
  const docs = join(here, '..', 'docs');
  const page = join(docs, 'benchmarks.md');
  const chart = renderRatioChart(recordedTables());
  if (chart !== undefined) {
    mkdirSync(dirname(join(docs, CHART_PATH)), { recursive: true });
    writeFileSync(join(docs, CHART_PATH), chart);
  }
  const run = {
    node: process.version,
    duration: process.env.BENCH_MS === undefined ? 'BENCH_MS=1500 (the default)' : `BENCH_MS=${process.env.BENCH_MS}`,
    machine: `${cpus().length} cores`,
    date: started.toISOString().slice(0, 10),
  };
  writeFileSync(page, renderBenchmarksPage(existsSync(page) ? readFileSync(page, 'utf8') : undefined, recordedTables(), run, chart !== undefined));
  console.log(`\nwrote docs/benchmarks.md${chart === undefined ? '' : ` and docs/${CHART_PATH}`}`);
}
process.exit(0);
