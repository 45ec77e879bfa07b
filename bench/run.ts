/**
 * `npm run bench [-- name ...]`: runs every suite in bench/suites (or those
 * whose file name contains one of the given names), one after another, each
 * printing Markdown tables with ours and the peers side by side.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const suites = readdirSync(join(here, 'suites'))
  .filter((file) => file.endsWith('.ts'))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();

console.log(`# Traffik benchmarks (node ${process.version}, ${new Date().toISOString()})`);
for (const file of suites) {
  const suite = (await import(pathToFileURL(join(here, 'suites', file)).href)) as { default: () => Promise<void> };
  console.log(`\n## ${file.replace(/\.ts$/, '')}`);
  await suite.default();
}
process.exit(0);
