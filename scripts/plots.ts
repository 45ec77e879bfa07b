/**
 * `npm run plots`: draws every built-in strategy under the same scenarios
 * (scripts/plots/) and writes the SVGs into docs/plots/, removing pictures
 * no longer drawn. test/docs/plots.test.ts fails when the committed pictures
 * differ from what this draws.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drawPlots } from './plots/draw.js';

const directory = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'plots');
mkdirSync(directory, { recursive: true });
const files = await drawPlots();
for (const name of readdirSync(directory)) {
  if (name.endsWith('.svg') && !files.has(name)) rmSync(join(directory, name));
}
for (const [name, svg] of files) writeFileSync(join(directory, name), svg);
console.log(`wrote ${files.size} pictures to docs/plots/`);
