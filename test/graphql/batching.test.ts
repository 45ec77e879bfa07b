/**
 * Every resolution is charged, but the hits that become ready together go
 * to the backend in one round trip per limit and caller, in order.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { makeExecutableSchema } from '@graphql-tools/schema';
// The CommonJS build, the copy @graphql-tools and the servers get from Node
// (vitest would otherwise hand this file the ESM build: a second graphql).
import { graphql, type GraphQLSchema } from 'graphql/index.js';
import { InMemoryBackend, type Backend, type BatchRequest } from '../../src/index.js';
import { RedisBackend } from '../../src/redis.js';
import { rateLimitDirective, type Identify } from '../../src/graphql/index.js';
import { post, startYoga, type RunningServer } from './fixtures.js';

/** Wraps a backend so that each `apply` / `applyBatch` call (one round trip) is counted, with its hit count. */
function counting(backend: Backend): { backend: Backend; batches: { uid: string; hits: number }[]; applies: number } {
  const seen = { batches: [] as { uid: string; hits: number }[], applies: 0 };
  const wrapped: Backend = {
    namespace: backend.namespace,
    onError: backend.onError,
    apply: (request) => {
      seen.applies++;
      return backend.apply(request);
    },
    applyBatch: (request: BatchRequest) => {
      seen.batches.push({ uid: request.scope, hits: request.costs.length });
      return backend.applyBatch(request);
    },
    reset: (scope, keys) => backend.reset(scope, keys),
    close: () => backend.close(),
  };
  return { backend: wrapped, get batches() { return seen.batches; }, get applies() { return seen.applies; } };
}

const typeDefs = /* GraphQL */ `
  type Query {
    items(n: Int!): [Item!]!
    users(n: Int!): [User!]!
  }
  type Item {
    id: Int!
    name: String @rateLimit(rate: "600/minute")
    price(currency: String): Int @rateLimit(rate: "2000/minute", costFn: "perCurrency") @rateLimit(rate: "100000/hour", costFn: "perCurrency")
  }
  type User {
    id: Int!
    posts(n: Int!): [Post!]! @rateLimit(rate: "100/minute")
  }
  type Post {
    title: String @rateLimit(rate: "20/minute")
  }
`;

function schemaOn(backend: Backend, identify: Identify<{ user?: string }>, chargeListsAhead = true): GraphQLSchema {
  const { typeDefs: directive, transformer } = rateLimitDirective<{ user?: string }>({
    backend,
    identify,
    costs: {
      perCurrency: async ({ args, source }) => (args.currency === 'all' ? 3 : 1) * ((source as { id: number }).id === 0 ? 2 : 1),
    },
    chargeListsAhead,
  });
  return transformer(makeExecutableSchema({
    typeDefs: [directive, typeDefs],
    resolvers: {
      Query: {
        // An async list: its items' fields resolve in a later microtask, as with a database.
        items: async (_: unknown, { n }: { n: number }) => Array.from({ length: n }, (_v, i) => ({ id: i, name: `item ${i}`, price: i })),
        users: (_: unknown, { n }: { n: number }) => Array.from({ length: n }, (_v, i) => ({ id: i })),
      },
      User: { posts: async (_: unknown, { n }: { n: number }) => Array.from({ length: n }, (_v, i) => ({ title: `post ${i}` })) },
    },
  }));
}

function admittedNames(data: unknown): boolean[] {
  return ((data as { items: { name: string | null }[] }).items).map((item) => item.name !== null);
}

describe('batching, in-process backend', () => {
  it('charges a list of 1,000 in one call and admits exactly the first 600', async () => {
    const seen = counting(new InMemoryBackend({ clock: () => 1_000_000 }));
    const schema = schemaOn(seen.backend, () => 'u1');
    const result = await graphql({ schema, source: '{ items(n: 1000) { id name } }', contextValue: {} });
    const admitted = admittedNames(result.data);
    expect(admitted.slice(0, 600).every(Boolean)).toBe(true);
    expect(admitted.slice(600).some(Boolean)).toBe(false);
    expect(result.errors).toHaveLength(400);
    expect(result.errors![0]!.path).toEqual(['items', 600, 'name']);
    expect(seen.batches).toEqual([{ uid: expect.stringContaining('Item.name'), hits: 1000 }]);
    expect(seen.applies).toBe(0);
  });

  it('keeps one call per limit when identify and the cost function are async', async () => {
    const seen = counting(new InMemoryBackend({ clock: () => 1_000_000 }));
    const schema = schemaOn(seen.backend, async (ctx) => {
      await Promise.resolve();
      return ctx.user ?? 'anonymous';
    });
    const result = await graphql({ schema, source: '{ items(n: 1000) { price(currency: "all") } }', contextValue: { user: 'u2' } });
    // Two rates on one field, same settings: one throttle, one call. 3 units each (item 0,
    // the cost function's source, 6): 2000/minute admits items 0..664.
    expect(seen.batches).toEqual([{ uid: expect.stringContaining('Item.price'), hits: 1000 }]);
    const prices = (result.data as { items: { price: number | null }[] }).items.map((i) => i.price);
    expect(prices.filter((p) => p !== null)).toHaveLength(665);
    expect(prices[664]).toBe(664);
    expect(prices[665]).toBeNull();
  });

  it('charges aliases of a list item item by item, in the order graphql-js resolves them', async () => {
    for (const ahead of [true, false]) {
      const seen = counting(new InMemoryBackend({ clock: () => 1_000_000 }));
      const schema = schemaOn(seen.backend, () => 'u3', ahead);
      const result = await graphql({
        schema,
        source: 'query ($skip: Boolean!) { items(n: 400) { a: name b: name ...F c: name @skip(if: $skip) } } fragment F on Item { d: name }',
        variableValues: { skip: true },
        contextValue: {},
      });
      const items = (result.data as { items: Record<string, string | null>[] }).items;
      // 600 units for a, b, d on each item in turn: items 0..199 get all three, item 200 none.
      expect(items[199]).toEqual({ a: 'item 199', b: 'item 199', d: 'item 199' });
      expect(items[200]).toEqual({ a: null, b: null, d: null });
      expect(result.errors).toHaveLength(600);
      expect(seen.batches.map((x) => x.hits)).toEqual([1200]);
    }
  });

  it('charges a list ahead with one identify call; without, item by item, in one backend call all the same', async () => {
    for (const [ahead, identifyCalls] of [[true, 1], [false, 1000]] as const) {
      const seen = counting(new InMemoryBackend({ clock: () => 1_000_000 }));
      let calls = 0;
      const schema = schemaOn(seen.backend, () => {
        calls++;
        return 'u4';
      }, ahead);
      const result = await graphql({ schema, source: '{ items(n: 1000) { id name } }', contextValue: {} });
      const admitted = admittedNames(result.data);
      expect(admitted.filter(Boolean)).toHaveLength(600);
      expect(admitted.slice(0, 600).every(Boolean)).toBe(true);
      expect(seen.batches).toEqual([{ uid: expect.stringContaining('Item.name'), hits: 1000 }]);
      expect(calls).toBe(identifyCalls);
    }
  });

  it('batches each level of nested lists, one call per limit and caller', async () => {
    const seen = counting(new InMemoryBackend({ clock: () => 1_000_000 }));
    const schema = schemaOn(seen.backend, (ctx) => ctx.user ?? 'anonymous');
    const [a, b] = await Promise.all([
      graphql({ schema, source: '{ users(n: 5) { posts(n: 6) { title } } }', contextValue: { user: 'a' } }),
      graphql({ schema, source: '{ users(n: 5) { posts(n: 6) { title } } }', contextValue: { user: 'b' } }),
    ]);
    for (const result of [a, b]) {
      const titles = (result.data as { users: { posts: { title: string | null }[] }[] }).users.flatMap((u) => u.posts.map((p) => p.title));
      expect(titles.filter((t) => t !== null)).toHaveLength(20);
      expect(titles.slice(0, 20).every((t) => t !== null)).toBe(true);
    }
    // users' posts: one batch of 5 per caller; posts' titles: one batch of 30 per caller.
    expect(seen.batches.map((x) => x.hits).sort((x, y) => x - y)).toEqual([5, 5, 30, 30]);
  });
});

describe('batching, Redis over HTTP (GraphQL Yoga)', () => {
  let redis: Redis;
  let backend: RedisBackend;
  let server: RunningServer;
  let seen: ReturnType<typeof counting>;
  beforeAll(async () => {
    redis = new Redis(inject('redisUrl'));
    backend = new RedisBackend({ url: inject('redisUrl'), namespace: `graphql-batching-${process.pid}` });
    seen = counting(backend);
    server = await startYoga(schemaOn(seen.backend, (ctx) => ctx.user ?? 'anonymous'));
  });
  afterAll(async () => {
    await server.stop();
    await backend.close();
    redis.disconnect();
  });

  async function scriptCalls(): Promise<number> {
    const info = await redis.info('commandstats');
    let calls = 0;
    for (const match of info.matchAll(/cmdstat_(evalsha|eval|fcall):calls=(\d+)/g)) calls += Number(match[2]);
    return calls;
  }

  it('charges a list of 1,000 in one script call and admits exactly the first 600', async () => {
    const before = await scriptCalls();
    const response = await post(server.url, 'redis-u1', '{ items(n: 1000) { id name } }');
    const after = await scriptCalls();
    const admitted = admittedNames(response.data);
    expect(admitted.filter(Boolean)).toHaveLength(600);
    expect(admitted.slice(0, 600).every(Boolean)).toBe(true);
    expect(response.errors!.every((e) => e.extensions?.code === 'RATE_LIMITED')).toBe(true);
    expect(seen.batches).toEqual([{ uid: expect.stringContaining('Item.name'), hits: 1000 }]);
    // The backend may load its script once (EVAL), then one EVALSHA: at most 2 script calls, never per item.
    expect(after - before).toBeGreaterThanOrEqual(1);
    expect(after - before).toBeLessThanOrEqual(2);
  });

  it('the next request of the same caller is refused in one more call; another caller has its own budget', async () => {
    const first = seen.batches.length;
    const again = await post(server.url, 'redis-u1', '{ items(n: 3) { name } }');
    expect(admittedNames(again.data)).toEqual([false, false, false]);
    const other = await post(server.url, 'redis-u2', '{ items(n: 3) { name } }');
    expect(admittedNames(other.data)).toEqual([true, true, true]);
    expect(seen.batches.slice(first).map((x) => x.hits)).toEqual([3, 3]);
  });
});

describe('a backend fault', () => {
  const failing: Backend = {
    namespace: 'down',
    apply: () => Promise.reject(new Error('connection refused')),
    applyBatch: () => Promise.reject(new Error('connection refused')),
    reset: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };

  it("fails closed by default ('throttle'): the items fail with RATE_LIMITER_UNAVAILABLE (not RATE_LIMITED), the rest resolves", async () => {
    const result = await graphql({ schema: schemaOn(failing, () => 'f'), source: '{ items(n: 3) { id name } }', contextValue: {} });
    expect((result.data as { items: unknown[] }).items).toEqual([0, 1, 2].map((id) => ({ id, name: null })));
    expect(result.errors!.map((e) => e.extensions)).toEqual([0, 1, 2].map(() => expect.objectContaining({ code: 'RATE_LIMITER_UNAVAILABLE', retryAfterMs: 1000 })));
    expect(result.errors!.map((e) => e.message)).toEqual([0, 1, 2].map(() => 'Rate limiter unavailable for Item.name: try again later'));
  });

  it("with onError 'raise' fails only the limited fields, and leaves no promise unhandled", async () => {
    const { typeDefs: directive, transformer } = rateLimitDirective({ backend: failing, identify: () => 'f', onError: 'raise' });
    const schema = transformer(makeExecutableSchema({
      typeDefs: [directive, 'type Query { items: [Item!]! free: Int } type Item { id: Int! name: String @rateLimit(rate: "5/minute") }'],
      resolvers: { Query: { items: () => [{ id: 1, name: 'a' }, { id: 2, name: 'b' }], free: () => 7 } },
    }));
    const result = await graphql({ schema, source: '{ free items { id name } }', contextValue: {} });
    expect(result.data).toEqual({ free: 7, items: [{ id: 1, name: null }, { id: 2, name: null }] });
    expect(result.errors!.map((e) => e.message)).toEqual([expect.stringMatching(/connection refused/), expect.stringMatching(/connection refused/)]);
  });
});

describe('charging a list ahead', () => {
  it('charges nothing for null items, which resolve no field', async () => {
    const { typeDefs: directive, transformer } = rateLimitDirective({ backend: new InMemoryBackend(), identify: () => 'n' });
    const schema = transformer(makeExecutableSchema({
      typeDefs: [directive, 'type Query { items: [Item] } type Item { name: String @rateLimit(rate: "1/minute") }'],
      resolvers: { Query: { items: () => [null, { name: 'a' }, null, { name: 'b' }] } },
    }));
    const result = await graphql({ schema, source: '{ items { name } }', contextValue: {} });
    expect(result.data).toEqual({ items: [null, { name: 'a' }, null, { name: null }] });
    expect(result.errors!.map((e) => e.path)).toEqual([['items', 3, 'name']]);
  });
});
