/**
 * graphql-ws under the same rules as the directive: the default identity is
 * the canonical client address (IPv6 grouped by /56, X-Forwarded-For only
 * through a trusted proxy); shadow mode never refuses; a backend chosen per
 * connection keeps tenants apart. Real graphql-ws server and client.
 */
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { InMemoryBackend, type Backend, type DecisionEvent } from '../../src/index.js';
import { RedisBackend } from '../../src/redis.js';
import { rateLimitSubscriptions } from '../../src/graphql/ws/index.js';
import { connect, ManualClock, run, startServer, tickSchema, TickSource } from './support.js';

// One graphql copy for graphql-ws and our source (see hooks.test.ts).
vi.mock('graphql', () => import('graphql/index.js'));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const schema = tickSchema(() => new TickSource(new ManualClock(), { count: 1 }));

/** A client whose upgrade request carries `X-Forwarded-For: forwardedFor` and whose ConnectionInit carries `params`. */
function clientAs(url: string, forwardedFor: string, params: Record<string, unknown> = {}): Client {
  class ForwardedSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers: { 'x-forwarded-for': forwardedFor } });
    }
  }
  const client = createClient({ url, webSocketImpl: ForwardedSocket, retryAttempts: 0, connectionParams: params });
  cleanups.push(() => client.dispose());
  return client;
}

/** How many of `n` one-shot operations of `client` were served. */
async function served(client: Client, n: number): Promise<number> {
  let count = 0;
  for (let i = 0; i < n; i++) if ((await run(client, '{ hello }').finished).completed) count++;
  return count;
}

describe('the default identity', () => {
  it('one IPv6 client rotating inside its /56, in any spelling, is one caller; another /56 is another', async () => {
    const server = await startServer(rateLimitSubscriptions({ schema }, {
      backend: new InMemoryBackend(), subscribe: { rate: '3/minute' }, trustProxy: 1,
    }));
    cleanups.push(() => server.close());
    const spellings = ['2001:db8:0:1::1', '2001:DB8:0:1:0:0:0:2', '2001:db8:0:42::9', '2001:0db8:0000:00ff::1'];
    let total = 0;
    for (const address of spellings) total += await served(clientAs(server.url, address), 2);
    expect(total).toBe(3);
    expect(await served(clientAs(server.url, '2001:db8:0:100::1'), 4)).toBe(3);
    // ::ffff:a.b.c.d is the IPv4 client it maps.
    expect((await served(clientAs(server.url, '198.51.100.7'), 2)) + (await served(clientAs(server.url, '::ffff:198.51.100.7'), 2))).toBe(3);
  });

  it('without a trusted proxy, a forged X-Forwarded-For buys no new budget', async () => {
    const server = await startServer(rateLimitSubscriptions({ schema }, { backend: new InMemoryBackend(), subscribe: { rate: '2/minute' } }));
    cleanups.push(() => server.close());
    expect((await served(clientAs(server.url, '203.0.113.1'), 2)) + (await served(clientAs(server.url, '203.0.113.2'), 2))).toBe(2);
  });
});

describe('shadow mode', () => {
  it('a flood over the Subscribe rate is all served; onDecision sees the would-be denials', async () => {
    const outcomes: string[] = [];
    const server = await startServer(rateLimitSubscriptions({ schema }, {
      backend: new InMemoryBackend(), identify: () => 'flood', subscribe: { rate: '5/minute' }, mode: 'shadow',
      onDecision: (event: DecisionEvent) => outcomes.push(event.outcome),
    }));
    cleanups.push(() => server.close());
    const client = connect(server.url);
    cleanups.push(() => client.dispose());
    const results = await Promise.all(Array.from({ length: 8 }, () => run(client, '{ hello }').finished));
    expect(results.every((r) => r.completed && r.errors === undefined)).toBe(true);
    expect(outcomes.filter((o) => o === 'denied')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'allowed')).toHaveLength(5);
  });
});

describe('a backend per connection (tenants)', () => {
  it("one tenant's flood leaves the others untouched (a real Redis and in-process)", async () => {
    const namespace = `wstenants${process.pid}${Date.now()}`;
    const backends: Record<string, Backend> = {
      acme: new RedisBackend({ url: inject('redisUrl'), namespace }),
      initech: new InMemoryBackend({ namespace }),
    };
    cleanups.push(() => backends.acme!.close());
    const server = await startServer(rateLimitSubscriptions({ schema }, {
      identify: () => 'same-user', subscribe: { rate: '2/minute' },
      backend: (ctx) => backends[(ctx?.connectionParams as { tenant: string }).tenant]!,
    }));
    cleanups.push(() => server.close());
    expect(await served(clientAs(server.url, '10.0.0.1', { tenant: 'acme' }), 5)).toBe(2);
    expect(await served(clientAs(server.url, '10.0.0.1', { tenant: 'initech' }), 5)).toBe(2);
  });
});

describe('a store that is down (a real Redis URL nobody listens on)', () => {
  it('answers RATE_LIMITER_UNAVAILABLE, never RATE_LIMITED, and keeps the socket open', async () => {
    const { freePort } = await import('../harness/servers.js');
    const backend = new RedisBackend({ url: `redis://127.0.0.1:${await freePort()}`, timeoutMs: 150, namespace: 'down' });
    cleanups.push(() => backend.close());
    const server = await startServer(rateLimitSubscriptions({ schema }, { backend, identify: () => 'u', subscribe: { rate: '10/minute' } }));
    cleanups.push(() => server.close());
    const client = connect(server.url);
    cleanups.push(() => client.dispose());
    const outcome = await run(client, '{ hello }').finished;
    expect(outcome.errors).toEqual([{ message: 'Rate limiter unavailable: try again later', extensions: { code: 'RATE_LIMITER_UNAVAILABLE', retryAfterMs: 1000 } }]);
    expect(client.closes()).toBe(0);
  });
});
