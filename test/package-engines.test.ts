/**
 * The README says Node.js 20+: `npm ci` must install every locked package on
 * Node 20 without an EBADENGINE warning. Checks each package's declared
 * `engines.node` in package-lock.json against Node 20.19 (the version the
 * dev tools themselves ask for: vite ^20.19.0), so a dependency update that
 * pulls in a Node-22-only package fails here, naming it and its range.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const semver = createRequire(import.meta.url)('semver') as { satisfies(version: string, range: string): boolean };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
};

describe('package-lock.json', () => {
  it('holds no package that refuses Node 20', () => {
    const refusing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (range !== undefined && !semver.satisfies('20.19.0', range)) refusing.push(`${path}@${entry.version}: node ${range}`);
    }
    expect(refusing, refusing.join('\n')).toEqual([]);
  });
});
