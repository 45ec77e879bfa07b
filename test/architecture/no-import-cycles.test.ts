/**
 * No import cycle in src/: a cycle makes load order decide whether a value
 * is defined yet, and ties modules that should stand alone together.
 * Failures list each cycle as a path of files.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCycles, readSourceGraph, type SourceFile } from './source-graph.js';

const root = join(import.meta.dirname, '..', '..');

describe('src/ import graph', () => {
  it('finds a cycle when there is one (the check itself works)', () => {
    const files: SourceFile[] = [
      { path: 'a.ts', lines: 1, imports: ['b.ts'] },
      { path: 'b.ts', lines: 1, imports: ['c.ts'] },
      { path: 'c.ts', lines: 1, imports: ['a.ts'] },
      { path: 'd.ts', lines: 1, imports: ['a.ts'] },
    ];
    expect(findCycles(files)).toEqual([{ cycle: ['a.ts', 'b.ts', 'c.ts', 'a.ts'], members: ['a.ts', 'b.ts', 'c.ts'] }]);
    expect(findCycles([{ path: 'a.ts', lines: 1, imports: ['b.ts'] }, { path: 'b.ts', lines: 1, imports: [] }])).toEqual([]);
  });

  it('has no import cycle', () => {
    const cycles = findCycles(readSourceGraph(root)).map(
      ({ cycle, members }) => `${cycle.join(' -> ')}${members.length > 2 ? ` (the group: ${members.join(', ')})` : ''}`,
    );
    expect(cycles, `import cycles in src/:\n${cycles.join('\n')}`).toEqual([]);
  });
});
