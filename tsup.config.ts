import { existsSync } from 'node:fs';
import { defineConfig } from 'tsup';

// One bundle per public subpath (package.json "exports"); peers stay external.
const entries: Record<string, string> = {
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

export default defineConfig({
  entry: Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file))),
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  splitting: true,
  sourcemap: true,
  target: 'node20',
});
