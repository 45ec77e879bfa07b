import { existsSync } from 'node:fs';
import { defineConfig } from 'tsup';

// One bundle per public subpath (package.json "exports"); peers stay external.
// test/package-exports.test.ts checks that these and "exports" name the same files.
export const entries: Record<string, string> = {
  index: 'src/index.ts',
  redis: 'src/redis.ts',
  memcached: 'src/memcached.ts',
  errors: 'src/errors.ts',
  trpc: 'src/trpc/index.ts',
  graphql: 'src/graphql/index.ts',
  'graphql-ws': 'src/graphql/ws/index.ts',
  extend: 'src/extend.ts',
  testing: 'src/testing/index.ts',
};

// A missing entry file is a broken package (its subpath in "exports" would point
// at nothing), so the build stops and names it instead of leaving it out.
const missing = Object.entries(entries).filter(([, file]) => !existsSync(file));
if (missing.length > 0) {
  throw new Error(`tsup.config.ts: entry file(s) missing: ${missing.map(([name, file]) => `${name} -> ${file}`).join(', ')}`);
}

export default defineConfig({
  entry: entries,
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  splitting: true,
  sourcemap: true,
  target: 'node20',
});
