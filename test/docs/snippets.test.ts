/**
 * Every TypeScript snippet in README.md and docs/*.md compiles under strict,
 * as a user would paste it: complete, imports included, the package named
 * `traffik`, `traffik/trpc`, ... A block that is partial on purpose opts
 * out with ```ts no-compile. Failures give each snippet's file and line.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractSnippets, readSnippets, typecheckSnippets } from './snippets.js';

const root = join(import.meta.dirname, '..', '..');

describe('doc snippets', () => {
  it('finds ```ts blocks with their line, and skips no-compile ones', () => {
    const md = ['# t', '```ts', 'const a = 1;', '```', '', '```ts no-compile', 'partial(', '```', '```sh', 'npm ci', '```', '```typescript', 'let b;', '```'].join('\n');
    expect(extractSnippets('x.md', md)).toEqual([
      { file: 'x.md', line: 3, code: 'const a = 1;' },
      { file: 'x.md', line: 13, code: 'let b;' },
    ]);
  });

  it('reports a wrong snippet with its file and line, and accepts a right one', () => {
    const [bad, good] = typecheckSnippets(root, [
      { file: 'x.md', line: 10, code: "import { Rate } from 'traffik';\nconst n: string = Rate.parse('1/s').limit;" },
      { file: 'y.md', line: 20, code: "import { Rate } from 'traffik';\nimport { rateLimit } from 'traffik/trpc';\nconst n: number = Rate.parse('1/s').limit;\nvoid n; void rateLimit;" },
    ]);
    expect(bad).toEqual([expect.stringMatching(/^x\.md:11: TS2322 /)]);
    expect(good).toEqual([]);
  });

  const snippets = readSnippets(root);
  const results = typecheckSnippets(root, snippets);
  it.each(snippets.map((s, i) => [`${s.file}:${s.line}`, results[i]!] as const))('%s compiles under strict', (_where, messages) => {
    expect(messages, messages.join('\n')).toEqual([]);
  });
});
