/**
 * The package as a user gets it: `npm run build`, `npm pack`, the tarball
 * extracted into a scratch project's node_modules (offline; the peer
 * libraries linked from ours), then:
 * - TypeScript resolves every entry's types under moduleResolution node10
 *   (through "typesVersions"), node16, nodenext (ESM and CommonJS files)
 *   and bundler (through "exports");
 * - every entry loads with ESM `import` and with CommonJS `require`.
 * Builds and packs once per run (test/tarball/scratch.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchProject, root, run, type ScratchProject } from './scratch.js';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
const subpaths = Object.keys(pkg.exports).filter((p) => p !== './package.json').map((p) => (p === '.' ? 'traffik' : `traffik/${p.slice(2)}`));
/** A value each entry must export (API.md); entries with none yet are only resolved. */
const known: Record<string, string> = {
  traffik: 'Throttle', 'traffik/redis': 'RedisBackend', 'traffik/memcached': 'MemcachedBackend', 'traffik/errors': 'CircuitBreaker',
  'traffik/trpc': 'rateLimit', 'traffik/graphql': 'rateLimitDirective', 'traffik/graphql-ws': 'rateLimitSubscriptions', 'traffik/extend': 'runSteps',
};
let project: ScratchProject;
let scratch: string;
afterAll(() => project?.remove());

/** A file importing every entry: `import * as eN from '...'`, and a use of a known export. */
function importer(style: 'import' | 'require'): string {
  const lines = subpaths.map((s, i) => (style === 'import' ? `import * as e${i} from '${s}';` : `import e${i} = require('${s}');`));
  subpaths.forEach((s, i) => lines.push(known[s] === undefined ? `void e${i};` : `export const v${i}: typeof e${i}.${known[s]} = e${i}.${known[s]};`));
  return lines.join('\n') + '\nexport {};\n';
}

beforeAll(async () => {
  project = await createScratchProject();
  scratch = project.dir;
}, 240_000);

describe('the packed tarball', () => {
  it('ships dist and README only, with every entry of "exports"', () => {
    const files = JSON.parse(run('npm', ['pack', '--dry-run', '--json'], root)) as { files: { path: string }[] }[];
    const paths = files[0]!.files.map((f) => f.path);
    expect(paths.filter((p) => !p.startsWith('dist/')).sort()).toEqual(['README.md', 'package.json']);
    for (const s of subpaths) {
      const name = s === 'traffik' ? 'index' : s.slice('traffik/'.length);
      for (const ext of ['.js', '.cjs', '.d.ts', '.d.cts']) expect(paths).toContain(`dist/${name}${ext}`);
    }
  });

  const configs: [label: string, options: Record<string, unknown>, file: string, style: 'import' | 'require'][] = [
    ['node10 (CommonJS)', { module: 'commonjs', moduleResolution: 'node10' }, 'node10.ts', 'import'],
    ['node16, ESM file', { module: 'node16', moduleResolution: 'node16' }, 'node16.mts', 'import'],
    ['node16, CommonJS file', { module: 'node16', moduleResolution: 'node16' }, 'node16.cts', 'require'],
    ['nodenext, ESM file', { module: 'nodenext', moduleResolution: 'nodenext' }, 'nodenext.mts', 'import'],
    ['nodenext, CommonJS file', { module: 'nodenext', moduleResolution: 'nodenext' }, 'nodenext.cts', 'require'],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }, 'bundler.ts', 'import'],
  ];
  it.each(configs)('types of every entry resolve under moduleResolution %s', (label, options, file, style) => {
    const dir = join(scratch, label.replace(/\W+/g, '-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, file), importer(style));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { ...options, strict: true, noEmit: true, target: 'es2022', types: ['node'], skipLibCheck: true, esModuleInterop: true },
      files: [file],
    }));
    project.tsc(join(label.replace(/\W+/g, '-'), 'tsconfig.json'));
  }, 60_000);

  it('loads every entry with ESM import and with CommonJS require', () => {
    const esm = subpaths.map((s) => `await import('${s}');`).join('\n') + "\nconst t = await import('traffik');\nconsole.log(typeof t.Throttle);\n";
    const cjs = subpaths.map((s) => `require('${s}');`).join('\n') + "\nconsole.log(typeof require('traffik').Throttle);\n";
    writeFileSync(join(scratch, 'load.mjs'), esm);
    writeFileSync(join(scratch, 'load.cjs'), cjs);
    expect(run(process.execPath, ['load.mjs'], scratch).trim()).toBe('function');
    expect(run(process.execPath, ['load.cjs'], scratch).trim()).toBe('function');
  });
});
