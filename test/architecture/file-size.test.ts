/**
 * House rule: every file under src/ stays under 400 lines (one concept per
 * file). Failures name each file and its length.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSourceGraph } from './source-graph.js';

const MAX_LINES = 400;
const root = join(import.meta.dirname, '..', '..');

describe('src/ file sizes', () => {
  it(`keeps every file under ${MAX_LINES} lines`, () => {
    const files = readSourceGraph(root);
    expect(files.length).toBeGreaterThan(50);
    const tooLong = files.filter((f) => f.lines >= MAX_LINES).map((f) => `${f.path}: ${f.lines} lines`);
    expect(tooLong, `files of ${MAX_LINES} lines or more:\n${tooLong.join('\n')}`).toEqual([]);
  });
});
