/**
 * Issue 16 through the directive: shadow mode (a burst over the limit all
 * succeeds; the status and onDecision show the would-be denials) and a
 * backend chosen per request (two tenants on two real Redis servers, one
 * in-process: one tenant's flood leaves the others untouched). GraphQL Yoga
 * over HTTP.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { InMemoryBackend, type Backend, type DecisionEvent } from '../../src/index.js';
import { RedisBackend } from '../../src/redis.js';
import { startRedis, type RedisServer } from '../harness/servers.js';
import { limitedSchema, send, yogaServer, type TestServer, type UserContext } from './support.js';

const typeDefs = 'type Query { hello: String @rateLimit(rate: "3/minute") free: String }';
const resolvers = { Query: { hello: () => 'world', free: () => 'free' } };

describe('shadow mode', () => {
  const outcomes: string[] = [];
  let server: TestServer;
  beforeAll(async () => {
    server = await yogaServer(limitedSchema(typeDefs, resolvers, {
      backend: new InMemoryBackend(), mode: 'shadow',
      onDecision: (event: DecisionEvent) => outcomes.push(`${event.outcome}:${event.decision?.shadowDenied === true}`),
    }));
  });
  afterAll(async () => {
    await server.stop();
  });

  it('a burst over the limit all succeeds; the status and onDecision show the would-be denials with the real numbers', async () => {
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await send(server.url, 'shadow', '{ hello }'));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body.data).toEqual({ hello: 'world' });
      expect(answer.body.errors).toBeUndefined();
    }
    const status = (answers[4]!.body.extensions!.rateLimit as Record<string, Record<string, unknown>>)['Query.hello'];
    expect(status).toMatchObject({ rate: '3/minute', limit: 3, remaining: 0, allowed: 1, denied: 0, shadowDenied: 1 });
    expect(status!.retryAfterMs).toBeGreaterThan(0);
    expect(outcomes).toEqual(['allowed:false', 'allowed:false', 'allowed:false', 'denied:true', 'denied:true']);
  });

  it("rejects a mode other than 'enforce' or 'shadow'", () => {
    expect(() => limitedSchema(typeDefs, resolvers, { mode: 'dry' as never })).toThrow(/mode must be 'enforce' or 'shadow', got "dry"/);
  });
});

describe('a backend per request (tenants)', () => {
  let second: RedisServer;
  let server: TestServer;
  const backends: Record<string, Backend> = {};
  const chosen: string[] = [];
  beforeAll(async () => {
    second = await startRedis();
    const namespace = `tenants${process.pid}${Date.now()}`;
    // The same namespace on both servers: only the choice of backend keeps the tenants apart.
    backends.acme = new RedisBackend({ url: inject('redisUrl'), namespace });
    backends.globex = new RedisBackend({ url: second.url, namespace });
    backends.initech = new InMemoryBackend({ namespace });
    server = await yogaServer(limitedSchema(typeDefs, resolvers, {
      // The caller is the same user in every tenant: one key, three backends.
      identify: () => 'same-user',
      backend: (context: UserContext | undefined) => {
        chosen.push(context!.user);
        return backends[context!.user]!;
      },
    }));
  });
  afterAll(async () => {
    await server.stop();
    for (const backend of Object.values(backends)) await backend.close();
    await second.stop();
  });

  /** How many of `n` requests of `tenant` got hello. */
  const admitted = async (tenant: string, n: number): Promise<number> => {
    let count = 0;
    for (let i = 0; i < n; i++) if ((await send(server.url, tenant, '{ hello }')).body.data?.hello === 'world') count++;
    return count;
  };

  it("one tenant's flood leaves the others untouched, on two Redis servers and in process", async () => {
    expect(await admitted('acme', 10)).toBe(3);
    expect(await admitted('globex', 10)).toBe(3);
    expect(await admitted('initech', 10)).toBe(3);
    expect(new Set(chosen)).toEqual(new Set(['acme', 'globex', 'initech']));
    // Concurrent requests of two tenants batch apart: each reaches its own backend.
    const [a, b] = await Promise.all([send(server.url, 'acme', '{ hello }'), send(server.url, 'initech', '{ hello }')]);
    expect(a.body.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(b.body.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED' });
  });
});

describe('a backend per request, for lists charged ahead', () => {
  it('two requests of two tenants executed together: each list is charged on its own tenant backend', async () => {
    const backends: Record<string, InMemoryBackend> = { a: new InMemoryBackend(), b: new InMemoryBackend() };
    const schema = limitedSchema(
      'type Query { items(n: Int!): [Item!]! } type Item { name: String @rateLimit(rate: "3/minute") }',
      { Query: { items: (_: unknown, { n }: { n: number }) => Array.from({ length: n }, (_v, i) => ({ name: `item ${i}` })) } },
      { identify: () => 'same-user', backend: (context: UserContext | undefined) => backends[context!.user]! },
    );
    const { graphql } = await import('graphql');
    const run = (tenant: string, n: number) => graphql({ schema, source: `{ items(n: ${n}) { name } }`, contextValue: { user: tenant } });
    const [a, b] = await Promise.all([run('a', 5), run('b', 2)]);
    const names = (result: Awaited<ReturnType<typeof run>>) => (result.data!.items as { name: string | null }[]).map((item) => item.name !== null);
    expect(names(a)).toEqual([true, true, true, false, false]);
    expect(names(b)).toEqual([true, true]);
    // b had 2 of its 3: one more passes there, none on a.
    expect(names(await run('b', 2))).toEqual([true, false]);
    expect(names(await run('a', 1))).toEqual([false]);
  });
});
