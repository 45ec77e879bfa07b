import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Node loads graphql's CommonJS build for Yoga, Apollo, graphql-ws and
  // @graphql-tools; make our sources load the same copy under Vite too, as
  // they do in a real app (two copies break instanceof GraphQLError).
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/harness/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The memory test measures the heap after a forced collection.
    execArgv: ['--expose-gc'],
  },
});
