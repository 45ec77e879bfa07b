import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXEMPTED, InMemoryBackend } from '../../src/index.js';
import { rateLimitSubscriptions } from '../../src/graphql/ws/index.js';
import { connect, ManualClock, run, startServer, tickSchema, TickSource, until, type RunningServer } from './support.js';

// Vite resolves 'graphql' for our source to index.mjs, while graphql-ws (loaded by
// Node) gets index.js: two GraphQLError classes. Installed traffik is loaded by
// Node too, so this alias gives our source the instance it has in production.
vi.mock('graphql', () => import('graphql/index.js'));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(options: Parameters<typeof rateLimitSubscriptions>[0], limits: Parameters<typeof rateLimitSubscriptions>[1]): Promise<RunningServer> {
  const server = await startServer(rateLimitSubscriptions(options, limits));
  cleanups.push(() => server.close());
  return server;
}

function client(url: string): ReturnType<typeof connect> {
  const c = connect(url);
  cleanups.push(() => c.dispose());
  return c;
}

describe('Subscribe messages per caller', () => {
  it('answers a flood with RATE_LIMITED for the excess, keeps the socket, and serves later subscriptions', async () => {
    const clock = new ManualClock();
    clock.set(1_000_000); // start of a minute window
    const server = await serve({ schema: tickSchema(() => new TickSource(clock, { count: 1 })) }, {
      backend: new InMemoryBackend({ clock: clock.now }),
      subscribe: { rate: '5/minute' },
    });
    const c = client(server.url);

    const flood = Array.from({ length: 12 }, () => run(c, '{ hello }').finished);
    const outcomes = await Promise.all(flood);
    const served = outcomes.filter((o) => o.completed);
    const limited = outcomes.filter((o) => o.errors !== undefined);
    expect(served).toHaveLength(5);
    expect(served.every((o) => JSON.stringify(o.data) === '[{"hello":"world"}]')).toBe(true);
    expect(limited).toHaveLength(7);
    for (const o of limited) {
      expect(o.errors).toHaveLength(1);
      expect(o.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 20_000, limit: 5, remaining: 0 });
    }

    // Still limited until the window ends; the socket never closed.
    const stillLimited = await run(c, '{ hello }').finished;
    expect(stillLimited.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    clock.advance(20_000);
    const later = await run(c, 'subscription { ticks }').finished;
    expect(later).toMatchObject({ completed: true, data: [{ ticks: 0 }] });
    expect(c.connections()).toBe(1);
    expect(c.closes()).toBe(0);
  });

  it('counts the caller across its connections, and EXEMPTED callers are never limited', async () => {
    const clock = new ManualClock();
    const server = await serve({ schema: tickSchema(() => new TickSource(clock, { count: 1 })) }, {
      backend: new InMemoryBackend({ clock: clock.now }),
      identify: (ctx: { connectionParams?: Readonly<Record<string, unknown>> }) => (ctx.connectionParams?.user === 'admin' ? EXEMPTED : 'everyone'),
      subscribe: { rate: '2/minute' },
    });
    const first = client(server.url);
    const second = client(server.url);
    expect((await run(first, '{ hello }').finished).completed).toBe(true);
    expect((await run(second, '{ hello }').finished).completed).toBe(true);
    expect((await run(first, '{ hello }').finished).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect((await run(second, '{ hello }').finished).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');

    const { createClient } = await import('graphql-ws');
    const { default: WebSocket } = await import('ws');
    const admin = createClient({ url: server.url, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { user: 'admin' } });
    cleanups.push(() => admin.dispose());
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => run(admin, '{ hello }').finished));
    expect(outcomes.every((o) => o.completed && o.errors === undefined)).toBe(true);
  });

  it('caps operations in flight per connection, and frees the slot when one completes', async () => {
    const clock = new ManualClock();
    const sources: TickSource[] = [];
    const server = await serve({ schema: tickSchema(() => { const s = new TickSource(clock, { everyMs: 0 }); sources.push(s); return s; }) }, {
      subscribe: { maxConcurrent: 2 },
    });
    const c = client(server.url);
    const a = run(c, 'subscription { ticks }');
    const b = run(c, 'subscription { ticks }');
    await until(() => a.outcome.data.length > 0 && b.outcome.data.length > 0, 'two running subscriptions');
    const third = await run(c, 'subscription { ticks }').finished;
    expect(third.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'concurrency', maxConcurrent: 2 });

    a.cancel();
    await until(() => sources[0]!.returnCalls === 1, 'the first source to close');
    const fourth = run(c, 'subscription { ticks }');
    await until(() => fourth.outcome.data.length > 0, 'a subscription in the freed slot');
    expect(fourth.outcome.errors).toBeUndefined();
    expect(c.closes()).toBe(0);
  });

  it('admits exactly the cap from a burst of Subscribes that arrive together', async () => {
    const clock = new ManualClock();
    const server = await serve({ schema: tickSchema(() => new TickSource(clock, { everyMs: 0 })) }, {
      identify: () => 'burst', subscribe: { maxConcurrent: 3 },
    });
    const c = client(server.url);
    const ops = Array.from({ length: 6 }, () => run(c, 'subscription { ticks }'));
    await until(() => ops.filter((op) => op.outcome.errors !== undefined).length === 3, 'three refusals');
    await until(() => ops.filter((op) => op.outcome.data.length > 0).length === 3, 'three running subscriptions');
    for (const op of ops.filter((o) => o.outcome.errors !== undefined)) {
      expect(op.outcome.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'concurrency' });
      expect(op.outcome.data).toEqual([]);
    }
  });

  it('charges each Subscribe its cost', async () => {
    const clock = new ManualClock();
    const server = await serve({ schema: tickSchema(() => new TickSource(clock, { count: 1 })) }, {
      backend: new InMemoryBackend({ clock: clock.now }),
      identify: () => 'costly',
      // Subscriptions cost 3, queries 1: "5/minute" fits one subscription and two queries.
      subscribe: { rate: '5/minute', cost: (_ctx, _id, payload) => (payload.query.trim().startsWith('subscription') ? 3 : 1) },
    });
    const c = client(server.url);
    expect((await run(c, 'subscription { ticks }').finished).completed).toBe(true);
    expect((await run(c, '{ hello }').finished).completed).toBe(true);
    expect((await run(c, 'subscription { ticks }').finished).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect((await run(c, '{ hello }').finished).completed).toBe(true);
    expect((await run(c, '{ hello }').finished).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });

  it('the default identify limits by remote address', async () => {
    const server = await serve({ schema: tickSchema(() => new TickSource(new ManualClock(), { count: 1 })) }, {
      uid: 'by-address',
      subscribe: { rate: '1/hour' },
    });
    const c = client(server.url);
    expect((await run(c, '{ hello }').finished).completed).toBe(true);
    const other = client(server.url); // same address 127.0.0.1: same caller
    expect((await run(other, '{ hello }').finished).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });
});
