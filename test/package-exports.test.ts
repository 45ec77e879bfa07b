/**
 * package.json "exports" and tsup's entries describe one package: every
 * subpath points at the bundle of an entry whose source file exists, and
 * every entry is exported, so no subpath can point at a file the build never
 * writes (tsup.config.ts also refuses to build with a missing entry file).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entries } from '../tsup.config.js';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { import: { types: string; default: string }; require: { types: string; default: string } }>;
  typesVersions?: Record<string, Record<string, string[]>>;
};

const subpaths = Object.entries(pkg.exports).filter(([path]) => path !== './package.json');

describe('package.json exports and tsup entries', () => {
  it.each(subpaths)('%s points at the ESM, CJS and type files of an existing entry', (path, target) => {
    expect(typeof target).toBe('object');
    if (typeof target !== 'object') return;
    const name = /^\.\/dist\/(.+)\.js$/.exec(target.import.default)?.[1];
    expect(name, `${path}: import.default ${target.import.default}`).toBeDefined();
    const file = entries[name!];
    expect(file, `${path}: no tsup entry "${name}"`).toBeDefined();
    expect(existsSync(join(root, file!)), `${path}: ${file} does not exist`).toBe(true);
    expect(target).toEqual({
      import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
      require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
    });
  });

  it('maps every subpath in typesVersions too, for TypeScript with moduleResolution node10 (which ignores "exports")', () => {
    const mapped = pkg.typesVersions?.['*'] ?? {};
    const expected = Object.fromEntries(subpaths.filter(([path]) => path !== '.').map(([path, target]) => [
      path.slice(2), [typeof target === 'object' ? target.import.types : ''],
    ]));
    expect(mapped).toEqual(expected);
  });

  it('tsup.config.ts refuses to build when an entry file is missing, naming it', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'traffik-tsup-'));
    try {
      // Entry paths are relative to the working directory: from an empty one, every entry is missing.
      const load = `import(${JSON.stringify(join(root, 'tsup.config.ts'))}).then(() => console.log('loaded'))`;
      expect(() => execFileSync(join(root, 'node_modules', '.bin', 'tsx'), ['-e', load], { cwd: elsewhere, encoding: 'utf8', stdio: 'pipe' }))
        .toThrow(/entry file\(s\) missing: index -> src\/index\.ts/);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('exports every tsup entry', () => {
    const exported = subpaths.map(([, target]) => (typeof target === 'object' ? target.import.default : target));
    for (const name of Object.keys(entries)) expect(exported).toContain(`./dist/${name}.js`);
  });
});
