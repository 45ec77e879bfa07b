/**
 * What a client is told when its request cannot be counted: its own bad
 * input (BAD_USER_INPUT, no internal text), a server bug (an internal
 * error), a cost that can never fit (said in words, no infinite wait), and
 * a store that is down (RATE_LIMITER_UNAVAILABLE and 503, never
 * RATE_LIMITED). Real Apollo Server 5 over HTTP; a real, unreachable Redis URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBackend } from '../../src/redis.js';
import { freePort } from '../harness/servers.js';
import { apolloServer, limitedSchema, send, yogaServer, type TestServer } from './support.js';

const typeDefs = /* GraphQL */ `
  type Query {
    search(first: Int): [String!] @rateLimit(rate: "10/minute", costFn: "byPageSize")
    broken: String @rateLimit(rate: "10/minute", costFn: "broken")
    weighed(weight: Float!): String @rateLimit(rate: "10/minute", costFn: "byWeight")
    free: String
  }
`;
const resolvers = {
  Query: {
    search: (_: unknown, { first }: { first?: number }) => Array.from({ length: Math.max(0, first ?? 10) }, (_v, i) => `r${i}`),
    broken: () => 'never',
    weighed: () => 'weighed',
    free: () => 'free',
  },
};
const costs = {
  byPageSize: ({ args }: { args: Record<string, unknown> }) => (args.first as number | undefined) ?? 10,
  broken: () => 'many' as unknown as number,
  byWeight: ({ args }: { args: Record<string, unknown> }) => (args.weight as number) * 1000,
};

describe('costs over HTTP (Apollo Server 5)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await apolloServer(limitedSchema(typeDefs, resolvers, { costs }));
  });
  afterAll(async () => {
    await server.stop();
  });

  it('a cost made negative by the client is BAD_USER_INPUT, without internal text, and charges nothing', async () => {
    const answer = await send(server.url, 'neg', '{ search(first: -1) free }');
    expect(answer.body.data).toEqual({ search: null, free: 'free' });
    expect(answer.body.errors).toHaveLength(1);
    const [error] = answer.body.errors!;
    expect(error!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', coordinate: 'Query.search' });
    expect(error!.message).toBe('Invalid arguments for Query.search: the cost they give is negative');
    expect(JSON.stringify(error)).not.toMatch(/Throttle|costFn|whole number|ConfigurationError/);
    // Nothing was charged: the whole budget is still there.
    expect((await send(server.url, 'neg', '{ search(first: 10) }')).body.data).toEqual({ search: expect.any(Array) });
  });

  it('a cost the client made fractional or too large to count is BAD_USER_INPUT too', async () => {
    const fraction = await send(server.url, 'frac', '{ weighed(weight: 0.0005) }');
    expect(fraction.body.errors![0]).toMatchObject({
      message: 'Invalid arguments for Query.weighed: the cost they give is not a whole number', extensions: { code: 'BAD_USER_INPUT' },
    });
    const huge = await send(server.url, 'huge', '{ weighed(weight: 1e300) }');
    expect(huge.body.errors![0]).toMatchObject({
      message: 'Invalid arguments for Query.weighed: the cost they give is too large', extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(huge.status).toBe(200);
  });

  it('a cost function that returns no number is a server bug: an internal error', async () => {
    const answer = await send(server.url, 'bug', '{ broken free }');
    expect(answer.body.data).toEqual({ broken: null, free: 'free' });
    expect(answer.body.errors![0]!.extensions!.code).toBe('INTERNAL_SERVER_ERROR');
  });

  it('a cost that can never fit says so in words and extensions, with no infinite wait and no Retry-After', async () => {
    const answer = await send(server.url, 'big', '{ search(first: 11) }');
    const [error] = answer.body.errors!;
    expect(error!.message).toBe(
      'Rate limit exceeded for Query.search: this request costs 11 units, more than the limit of 10, so it can never pass; ask for less',
    );
    expect(error!.extensions).toMatchObject({ code: 'RATE_LIMITED', exceedsLimit: true, cost: 11, limit: 10, retryAfterMs: null });
    expect(JSON.stringify(answer.body)).not.toMatch(/Infinity/);
    expect(answer.status).toBe(429);
    expect(answer.retryAfter).toBeNull();
  });
});

describe('a store that is down (a real Redis URL nobody listens on)', () => {
  let backend: RedisBackend;
  const servers: TestServer[] = [];
  const logged: string[] = [];
  beforeAll(async () => {
    backend = new RedisBackend({ url: `redis://127.0.0.1:${await freePort()}`, timeoutMs: 150, namespace: 'down' });
    const logger = { error: (line: string) => logged.push(`error ${line}`), warn: (line: string) => logged.push(`warn ${line}`) };
    const schema = limitedSchema(typeDefs, resolvers, { costs, backend, logger });
    servers.push(await apolloServer(schema), await yogaServer(schema));
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await backend.close();
  });

  afterAll(() => {
    // The outage is told once, with its cause, however many requests met it.
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^error .*down/);
  });

  for (const [index, name] of ['Apollo Server 5', 'GraphQL Yoga'].entries()) {
    it(`${name}: RATE_LIMITER_UNAVAILABLE and HTTP 503, never RATE_LIMITED or 429`, async () => {
      const answer = await send(servers[index]!.url, 'u', '{ search(first: 1) }');
      expect(answer.body.errors).toHaveLength(1);
      expect(answer.body.errors![0]).toMatchObject({
        message: 'Rate limiter unavailable for Query.search: try again later',
        extensions: { code: 'RATE_LIMITER_UNAVAILABLE', retryAfterMs: 1000 },
      });
      expect(JSON.stringify(answer.body)).not.toMatch(/RATE_LIMITED"|ECONNREFUSED|timed out/);
      expect(answer.status).toBe(503);
      expect(answer.retryAfter).toBe('1');
      const mixed = await send(servers[index]!.url, 'u', '{ search(first: 1) free }');
      expect(mixed.status).toBe(200);
      expect(mixed.body.data).toEqual({ search: null, free: 'free' });
    });
  }
});
