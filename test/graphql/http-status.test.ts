/**
 * The HTTP answer of an operation whose every root field was limited (429
 * with Retry-After, on Yoga and Apollo alike), and the status plugin's
 * numbers: each rate's own, never one rate's limit beside another's reset.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryBackend } from '../../src/index.js';
import { apolloServer, limitedSchema, send, yogaServer, type TestServer } from './support.js';

const typeDefs = /* GraphQL */ `
  type Query {
    a: String @rateLimit(rate: "1/minute")
    b: String @rateLimit(rate: "1/10s")
    c: String @rateLimit(rate: "1/minute")
    burst: String @rateLimit(rate: "2/second") @rateLimit(rate: "3/minute")
    fallback: String @rateLimit(rate: "1/minute")
    free: String
  }
`;
const resolvers = { Query: { a: () => 'a', b: () => 'b', c: () => 'c', burst: () => 'burst', fallback: () => 'fresh', free: () => 'free' } };

for (const [name, start] of [['GraphQL Yoga', yogaServer], ['Apollo Server 5', apolloServer]] as const) {
  describe(`HTTP status (${name})`, () => {
    const clock = { now: 1_700_000_000_000 };
    let server: TestServer;
    beforeAll(async () => {
      server = await start(limitedSchema(typeDefs, resolvers, {
        backend: new InMemoryBackend({ clock: () => clock.now }),
        onLimit: (error, { coordinate }) => (coordinate === 'Query.fallback' ? 'cached' : error),
      }));
    });
    afterAll(async () => {
      await server.stop();
    });

    it('every root field limited: 429 with Retry-After of the longest wait, in whole seconds', async () => {
      const first = await send(server.url, 'all', '{ a x: b }');
      expect(first.status).toBe(200);
      expect(first.retryAfter).toBeNull();
      const limited = await send(server.url, 'all', '{ a x: b }');
      expect(limited.body.data).toEqual({ a: null, x: null });
      expect(limited.status).toBe(429);
      const longest = Math.max(...limited.body.errors!.map((e) => e.extensions!.retryAfterMs as number));
      expect(longest).toBe(Math.ceil((clock.now + 1) / 60_000) * 60_000 - clock.now);
      expect(limited.retryAfter).toBe(String(Math.ceil(longest / 1000)));
    });

    it('a root field that ran keeps the 200 (a partial answer is still an answer)', async () => {
      await send(server.url, 'some', '{ c }');
      const partial = await send(server.url, 'some', '{ c free }');
      expect(partial.body.data).toEqual({ c: null, free: 'free' });
      expect(partial.status).toBe(200);
      expect(partial.retryAfter).toBeNull();
    });

    it('a limited field that falls back through onLimit is not limited for HTTP', async () => {
      await send(server.url, 'fb', '{ fallback }');
      const cached = await send(server.url, 'fb', '{ fallback }');
      expect(cached.body).toMatchObject({ data: { fallback: 'cached' } });
      expect(cached.status).toBe(200);
    });

    it("reports the binding rate's own numbers, and each rate's in policies", async () => {
      await send(server.url, 'rates', '{ burst }');
      const second = await send(server.url, 'rates', '{ burst }');
      const status = (second.body.extensions!.rateLimit as Record<string, Record<string, unknown>>)['Query.burst']!;
      const secondEnd = Math.ceil((clock.now + 1) / 1000) * 1000 - clock.now;
      const minuteEnd = Math.ceil((clock.now + 1) / 60_000) * 60_000 - clock.now;
      // The per-second rate binds (0 left): its limit AND its reset, not the per-minute reset.
      expect(status).toEqual({
        rate: '2/second', limit: 2, remaining: 0, retryAfterMs: 0, resetAfterMs: secondEnd, allowed: 1, denied: 0,
        policies: [
          { rate: '2/second', limit: 2, remaining: 0, retryAfterMs: 0, resetAfterMs: secondEnd },
          { rate: '3/minute', limit: 3, remaining: 1, retryAfterMs: 0, resetAfterMs: minuteEnd },
        ],
      });
      const third = await send(server.url, 'rates', '{ burst }');
      expect(third.status).toBe(429);
      const denied = (third.body.extensions!.rateLimit as Record<string, Record<string, unknown>>)['Query.burst']!;
      expect(denied).toMatchObject({ rate: '2/second', limit: 2, remaining: 0, retryAfterMs: secondEnd, resetAfterMs: secondEnd, denied: 1 });
    });
  });
}
