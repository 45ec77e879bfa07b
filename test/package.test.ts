/**
 * The package's promise about optional peers: each public entry imports only
 * its own peer libraries (a tRPC app never needs graphql), and every entry
 * loads under CommonJS `require` as well as ESM. Bundled with esbuild (what
 * tsup uses) with every bare import left external, then inspected and loaded.
 */
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const entries: [entry: string, peers: string[]][] = [
  ['src/index.ts', []],
  ['src/errors.ts', []],
  ['src/redis.ts', ['ioredis']],
  ['src/memcached.ts', ['memjs']],
  ['src/trpc/index.ts', ['@trpc/server']],
  ['src/graphql/index.ts', ['graphql', '@graphql-tools/utils']],
  ['src/graphql/ws/index.ts', ['graphql', 'graphql-ws']],
  ['src/extend.ts', []],
  ['src/testing/index.ts', []],
];

const out = mkdtempSync(join(tmpdir(), 'traffik-package-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('package entries', () => {
  it.each(entries)('%s imports only its own peers (%j) at run time', async (entry, peers) => {
    const result = await build({
      entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', write: false, metafile: true,
      packages: 'external', logLevel: 'silent',
    });
    const imported = new Set<string>();
    for (const output of Object.values(result.metafile.outputs)) {
      for (const item of output.imports) if (item.external && !item.path.startsWith('node:')) imported.add(item.path.split('/').slice(0, item.path.startsWith('@') ? 2 : 1).join('/'));
    }
    expect([...imported].sort()).toEqual([...peers].sort());
  });

  it('loads with CommonJS require: Rate, Throttle and a hit work', async () => {
    const file = join(out, 'traffik.cjs');
    await build({ entryPoints: ['src/index.ts'], bundle: true, platform: 'node', format: 'cjs', outfile: file, logLevel: 'silent' });
    writeFileSync(join(out, 'package.json'), '{}');
    const traffik = createRequire(join(out, 'x.cjs'))(file) as typeof import('../src/index.js');
    const throttle = new traffik.Throttle({ uid: 'cjs', rate: traffik.Rate.parse('1/minute'), backend: new traffik.InMemoryBackend() });
    expect((await throttle.hit('a')).allowed).toBe(true);
    expect((await throttle.hit('a')).allowed).toBe(false);
  });
});
