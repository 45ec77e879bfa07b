/**
 * Runs examples/cost-budget/server.ts as its own Node process (tsx, outside
 * vitest: one graphql copy, Yoga's default error masking on) and talks to it
 * with fetch: the budget's errors and extensions reach the client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post } from './servers.js';
import { startExample, type ServerProcess } from '../../support/server-process.js';

describe('examples/cost-budget (GraphQL Yoga in its own process)', () => {
  let example: ServerProcess;
  let url: string;
  beforeAll(async () => {
    example = await startExample('examples/cost-budget/server.ts');
    url = example.url;
  });
  afterAll(() => example.stop());

  it('charges 101 for 50 products, keeps 25 for the 12 that exist, with a breakdown on request', async () => {
    const reply = await post(url, 'ann', '{ products(first: 50) { edges { node { title } } } }', undefined, { 'x-graphql-cost-breakdown': '1' });
    const cost = reply.body.extensions?.['cost'] as { requestedQueryCost: number; actualQueryCost: number; throttleStatus: { currentlyAvailable: number }; fields: unknown };
    expect(cost).toMatchObject({ requestedQueryCost: 101, actualQueryCost: 25, throttleStatus: { maximumAvailable: 1000, restoreRate: 50 } });
    // 975 right after; the real clock may have restored a unit meanwhile.
    expect(cost.throttleStatus.currentlyAvailable).toBeGreaterThanOrEqual(975);
    expect(cost.throttleStatus.currentlyAvailable).toBeLessThanOrEqual(977);
    expect(cost.fields).toEqual({
      'Query.products': { requested: 1, actual: 1 }, 'ProductConnection.edges': { requested: 50, actual: 12 }, 'ProductEdge.node': { requested: 50, actual: 12 },
    });
  });

  it('refuses an operation over the maximum, unmasked, with 400', async () => {
    const reply = await post(url, 'ann', '{ products(last: 600) { edges { node { id } } } }');
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.[0]?.extensions).toEqual({ code: 'MAX_COST_EXCEEDED', cost: 1201, maxCost: 1000 });
  });

  it('throttles a caller whose budget is spent with 429, and lets @rateLimit limit its field beside it', async () => {
    const dear = '{ products(first: 499) { edges { node { id } } } }'; // 999 requested
    expect((await post(url, 'bo', dear)).status).toBe(200);
    const refused = await post(url, 'bo', dear);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'THROTTLED', cost: 999 });
    // The report's own limit (2 per minute) is the directive's, charged beside the budget.
    await post(url, 'cy', '{ salesReport }');
    await post(url, 'cy', '{ salesReport }');
    const limited = await post(url, 'cy', '{ salesReport }');
    expect(limited.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    // The denied field never ran: the whole 50 is given back.
    expect(limited.body.extensions?.['cost']).toMatchObject({ requestedQueryCost: 50, actualQueryCost: 0 });
  });

  it('charges nothing to an exempt caller', async () => {
    const reply = await post(url, 'admin', '{ products(first: 499) { edges { node { id } } } }');
    expect(reply.body.extensions?.['cost']).toEqual({ requestedQueryCost: 999, actualQueryCost: 25 });
  });
});
