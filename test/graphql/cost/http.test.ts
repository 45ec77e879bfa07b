import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InMemoryBackend } from '../../../src/index.js';
import { costBudget, type CostBudget } from '../../../src/graphql/index.js';
import { post, startApollo, startYoga, type RunningServer, type ShopContext, type StartServer } from './servers.js';
import { calls, shopSchema } from './shop-schema.js';

/** Requested 1 + 251, actual 1 + 11 (the shop holds 11 products). */
const QUERY_252 = '{ products(first: 251) { nodes { id } } }';
/** Requested and actual 400. */
const HEAVY = '{ heavy }';

describe.each([
  ['GraphQL Yoga', startYoga],
  ['Apollo Server', startApollo],
] as [string, StartServer][])('cost budget over HTTP (%s)', (_name, start) => {
  const clock = { now: 1_700_000_000_000 };
  const backend = new InMemoryBackend({ namespace: `cost-http-${_name}`, clock: () => clock.now });
  let budget: CostBudget;
  let server: RunningServer;
  let user = 0;
  /** A fresh caller per test: each starts with a full budget. */
  let caller = '';

  beforeAll(async () => {
    budget = costBudget<ShopContext>({ backend, identify: (context) => context.user ?? 'anonymous', maxCost: 1000, maximumAvailable: 1000, restoreRate: 50 });
    server = await start(shopSchema(), budget);
  });
  afterAll(async () => {
    await server.stop();
    await backend.close();
  });
  beforeEach(() => {
    caller = `user-${++user}`;
  });

  it('charges 252, refunds the 240 unused: 988 left right after', async () => {
    const reply = await post(server.url, caller, QUERY_252);
    expect(reply.status).toBe(200);
    expect((reply.body.data?.['products'] as { nodes: unknown[] }).nodes).toHaveLength(11);
    expect(reply.body.extensions?.['cost']).toEqual({
      requestedQueryCost: 252,
      actualQueryCost: 12,
      throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 988, restoreRate: 50 },
    });
    expect((await budget.throttle.peek(caller, { cost: 0 })).remaining).toBe(988);
  });

  it('refuses an operation costing 1001 with MAX_COST_EXCEEDED and charges nothing', async () => {
    const reply = await post(server.url, caller, '{ products(first: 1000) { nodes { id } } }');
    expect(reply.status).toBe(400);
    expect(reply.body.data ?? null).toBeNull();
    expect(reply.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'MAX_COST_EXCEEDED', cost: 1001, maxCost: 1000 } })]);
    expect(reply.body.extensions?.['cost']).toEqual({ requestedQueryCost: 1001, actualQueryCost: null });
    expect((await budget.throttle.peek(caller, { cost: 0 })).remaining).toBe(1000);
  });

  it('throttles a burst with 429, Retry-After and RateLimit headers; passes after retryAfterMs', async () => {
    const before = calls.heavy;
    expect((await post(server.url, caller, HEAVY)).status).toBe(200);
    expect((await post(server.url, caller, HEAVY)).body.extensions?.['cost']).toMatchObject({ throttleStatus: { currentlyAvailable: 200 } });
    const refused = await post(server.url, caller, HEAVY);
    expect(refused.status).toBe(429);
    // 400 needed, 200 there, 50 restored per second: 4 s.
    expect(refused.body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'THROTTLED', retryAfterMs: 4000, cost: 400 }) })]);
    expect(refused.body.data ?? null).toBeNull();
    expect(refused.body.extensions?.['cost']).toEqual({
      requestedQueryCost: 400, actualQueryCost: null,
      throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 200, restoreRate: 50 },
    });
    expect(refused.headers.get('retry-after')).toBe('4');
    expect(refused.headers.get('ratelimit')).toBe('"graphql-cost";r=200;t=4');
    expect(refused.headers.get('ratelimit-policy')).toBe('"graphql-cost";q=1000');
    expect(calls.heavy - before).toBe(2); // the refused operation ran nothing

    clock.now += 3_999;
    expect((await post(server.url, caller, HEAVY)).status).toBe(429);
    clock.now += 1;
    const passed = await post(server.url, caller, HEAVY);
    expect(passed.status).toBe(200);
    expect(passed.body.data).toEqual({ heavy: 400 });
  });

  it('gives a per-field breakdown when the request asks for it', async () => {
    const reply = await post(server.url, caller, '{ products(first: 5) { edges { node { id } } } report { total } }', undefined, { 'x-graphql-cost-breakdown': '1' });
    expect(reply.body.extensions?.['cost']).toMatchObject({
      requestedQueryCost: 16,
      actualQueryCost: 16,
      fields: {
        'Query.products': { requested: 1, actual: 1 },
        'ProductConnection.edges': { requested: 5, actual: 5 },
        'ProductEdge.node': { requested: 5, actual: 5 },
        'Query.report': { requested: 5, actual: 5 },
      },
    });
    expect((await post(server.url, caller, '{ report { total } }')).body.extensions?.['cost']).not.toHaveProperty('fields');
  });

  it('refuses an operation whose cost cannot be computed, before it runs', async () => {
    const reply = await post(server.url, caller, '{ products(first: 1, last: 1) { nodes { id } } }');
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.[0]?.extensions?.['code']).toBe('COST_ANALYSIS_FAILED');
    expect((await budget.throttle.peek(caller, { cost: 0 })).remaining).toBe(1000);
  });

  it('refuses a fragment bomb (10 fragments, each spreading the previous one twice) before it runs', async () => {
    const fragments = ['fragment F0 on Query { heavy report { total } }'];
    for (let i = 1; i < 10; i++) fragments.push(`fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`);
    const before = calls.heavy;
    const reply = await post(server.url, caller, `query { ...F9 } ${fragments.join(' ')}`);
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.[0]?.extensions?.['code']).toBe('COST_ANALYSIS_FAILED');
    expect(calls.heavy).toBe(before);
  });

  it('charges variables-sized operations by their variables', async () => {
    const reply = await post(server.url, caller, 'query($n: Int!) { products(first: $n) { nodes { id } } }', { n: 50 });
    expect(reply.body.extensions?.['cost']).toMatchObject({ requestedQueryCost: 51, actualQueryCost: 12, throttleStatus: { currentlyAvailable: 988 } });
  });
});

describe('cost budget on a GraphQL Yoga subscription (server-sent events)', () => {
  const backend = new InMemoryBackend({ namespace: 'cost-sse', clock: () => 1_700_000_000_000 });
  const budget = costBudget<ShopContext>({ backend, identify: (context) => context.user ?? 'anonymous' });
  let server: RunningServer;
  beforeAll(async () => {
    server = await startYoga(shopSchema(), budget);
  });
  afterAll(async () => {
    await server.stop();
    await backend.close();
  });

  it('charges the subscription once, when it starts', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-user': 'sse' },
      body: JSON.stringify({ query: 'subscription { productAdded { id price { amount } } }' }),
    });
    const events = (await response.text()).split('\n').filter((line) => line.startsWith('data:') && line.length > 6);
    expect(events.map((line) => JSON.parse(line.slice(5)) as unknown)).toEqual([{ data: { productAdded: { id: 'p1', price: { amount: 1 } } } }]);
    // product 1 + price 1
    expect((await budget.throttle.peek('sse', { cost: 0 })).remaining).toBe(998);
  });
});
