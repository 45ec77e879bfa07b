import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { InMemoryBackend } from '../../../src/index.js';
import { costBudget } from '../../../src/graphql/index.js';
import { shopSchema } from './shop-schema.js';

const clock = { now: 1_700_000_000_000 };
const backend = new InMemoryBackend({ namespace: 'cost-ws', clock: () => clock.now });
/** Set to make the next identify throw (a user function failing). */
let failNextIdentify = false;
const budget = costBudget<{ user?: string }>({
  backend,
  identify: (context) => {
    if (failNextIdentify) {
      failNextIdentify = false;
      throw new Error('identify failed');
    }
    return context.user ?? 'anonymous';
  },
  maximumAvailable: 1000, restoreRate: 50,
});
let server: Server;
let url = '';
const clients: Client[] = [];

beforeAll(async () => {
  server = createServer();
  const wss = new WebSocketServer({ server, path: '/graphql' });
  useServer(budget.graphqlWs({
    schema: shopSchema(),
    context: (ctx) => ({ user: typeof ctx.connectionParams?.['user'] === 'string' ? ctx.connectionParams['user'] : undefined }),
  }), wss);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  server.closeAllConnections();
  server.close();
  await backend.close();
});

function client(user: string): Client {
  const made = createClient({ url, webSocketImpl: WebSocket, connectionParams: { user }, lazy: false, retryAttempts: 0 });
  clients.push(made);
  return made;
}

/** Runs one operation and collects every result until it completes. */
function run(on: Client, query: string): Promise<FormattedExecutionResult<Record<string, unknown>, unknown>[]> {
  return new Promise((resolve, reject) => {
    const results: FormattedExecutionResult<Record<string, unknown>, unknown>[] = [];
    on.subscribe({ query }, { next: (result) => results.push(result), error: reject, complete: () => resolve(results) });
  });
}

describe('cost budget over graphql-ws', () => {
  it('charges a query like HTTP does: 252 requested, 12 kept', async () => {
    const [result] = await run(client('ws-a'), '{ products(first: 251) { nodes { id } } }');
    expect((result?.extensions as Record<string, unknown> | undefined)?.['cost']).toEqual({
      requestedQueryCost: 252, actualQueryCost: 12, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 988, restoreRate: 50 },
    });
  });

  it('refuses a throttled operation with an error result and keeps the socket open', async () => {
    const socket = client('ws-b');
    await run(socket, '{ heavy }');
    await run(socket, '{ heavy }');
    const [refused] = await run(socket, '{ heavy }');
    expect(refused?.data).toBeUndefined();
    expect(refused?.errors?.[0]?.extensions).toMatchObject({ code: 'THROTTLED', retryAfterMs: 4000, cost: 400 });
    clock.now += 4000;
    const [passed] = await run(socket, '{ heavy }');
    expect(passed?.data).toEqual({ heavy: 400 });
  });

  it('charges a subscription once, when it starts', async () => {
    const socket = client('ws-c');
    const events = await run(socket, 'subscription { productAdded { id title } }');
    expect(events).toEqual([{ data: { productAdded: { id: 'p1', title: 'Product 1' } } }]);
    expect((await budget.throttle.peek('ws-c', { cost: 0 })).remaining).toBe(999);
    const [tooDear] = await run(socket, '{ products(first: 1000) { nodes { id } } }');
    expect(tooDear?.errors?.[0]?.extensions).toMatchObject({ code: 'MAX_COST_EXCEEDED', cost: 1001, maxCost: 1000 });
  });

  it('answers a throwing identify with an error result; the socket stays open', async () => {
    const socket = client('ws-d');
    failNextIdentify = true;
    const [failed] = await run(socket, '{ report { total } }');
    expect(failed?.errors?.[0]?.message).toBe('identify failed');
    const [next] = await run(socket, '{ report { total } }');
    expect(next?.data).toEqual({ report: { total: 3 } });
  });
});
