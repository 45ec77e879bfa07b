import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXEMPTED, InMemoryBackend } from '../../src/index.js';
import { rateLimitSubscriptions, type OnExceed } from '../../src/graphql/ws/index.js';
import { connect, ManualClock, run, startServer, tickSchema, TickSource, until } from './support.js';

// Vite resolves 'graphql' for our source to index.mjs, while graphql-ws (loaded by
// Node) gets index.js: two GraphQLError classes. Installed traffik is loaded by
// Node too, so this alias gives our source the instance it has in production.
vi.mock('graphql', () => import('graphql/index.js'));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A server whose `ticks` subscription emits 200 events per (simulated)
 * second, limited to 10 events per second per subscription.
 */
async function setup(onExceed: OnExceed, source: { count?: number; alwaysReady?: boolean } = {}) {
  const clock = new ManualClock();
  const sources: TickSource[] = [];
  const deliveredAt: number[] = [];
  const server = await startServer(rateLimitSubscriptions({
    schema: tickSchema(() => {
      const s = new TickSource(clock, source);
      sources.push(s);
      return s;
    }),
    onNext: () => {
      deliveredAt.push(clock.now());
    },
  }, {
    messages: { rate: '10/second', onExceed, backend: new InMemoryBackend({ clock: clock.now }) },
    timers: clock.timers,
  }));
  cleanups.push(() => server.close());
  const client = connect(server.url);
  cleanups.push(() => client.dispose());
  return { clock, sources, deliveredAt, client };
}

/** How many deliveries fall in each 1-second window. */
function perWindow(times: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const t of times) counts.set(Math.floor(t / 1000), (counts.get(Math.floor(t / 1000)) ?? 0) + 1);
  return counts;
}

describe('events per subscription', () => {
  it("'drop' delivers the first 10 events of each second and discards the rest", async () => {
    const { sources, deliveredAt, client } = await setup('drop', { count: 600 }); // 3 seconds at 200/s
    const outcome = await run(client, 'subscription { ticks }').finished;
    expect(outcome.completed).toBe(true);
    const ticks = outcome.data.map((d) => (d as { ticks: number }).ticks);
    // Event i is emitted at i * 5 ms: windows start at events 0, 200 and 400.
    expect(ticks).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409]);
    expect([...perWindow(deliveredAt).values()]).toEqual([10, 10, 10]);
    expect(sources[0]!.emitted).toBe(600);
  });

  it("'latest' coalesces the excess to the newest event and delivers the final one once the rate allows", async () => {
    const { clock, sources, deliveredAt, client } = await setup('latest', { count: 200 }); // 1 second at 200/s
    const op = run(client, 'subscription { ticks }');
    await until(() => sources.length === 1 && sources[0]!.done, 'the source to end');
    // The source ended at 995 ms with the window's 10 events spent: the final
    // event waits for the next window.
    let guard = 0;
    while (!op.outcome.completed && guard++ < 100) {
      clock.advance(100);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const outcome = await op.finished;
    expect(outcome.completed).toBe(true);
    const ticks = outcome.data.map((d) => (d as { ticks: number }).ticks);
    expect(ticks.at(-1)).toBe(199);
    expect(ticks.length).toBeLessThanOrEqual(11);
    expect(ticks).toEqual([...ticks].sort((a, b) => a - b)); // in order, no repeats
    expect(new Set(ticks).size).toBe(ticks.length);
    for (const count of perWindow(deliveredAt).values()) expect(count).toBeLessThanOrEqual(10);
    // While under the rate, events go out as they come (the window's budget is used, up to scheduling under load).
    expect(perWindow(deliveredAt).get(0)).toBeGreaterThanOrEqual(5);
  });

  it("'latest' delivers at once while under the rate", async () => {
    const { client } = await setup('latest', { count: 5 });
    const outcome = await run(client, 'subscription { ticks }').finished;
    expect(outcome.completed).toBe(true);
    // Each event may be replaced by a newer one before the consumer takes it, but the last always arrives.
    expect(outcome.data.at(-1)).toEqual({ ticks: 4 });
  });

  it("'complete' ends the subscription with RATE_LIMITED after the allowed events and closes the source", async () => {
    const { sources, client } = await setup('complete');
    const outcome = await run(client, 'subscription { ticks }').finished;
    expect(outcome.data).toEqual(Array.from({ length: 10 }, (_, i) => ({ ticks: i })));
    expect(outcome.completed).toBe(false);
    expect(outcome.errors).toHaveLength(1);
    expect(outcome.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'messages', retryAfterMs: 950 });
    expect(sources[0]!.returnCalls).toBe(1);
    expect(client.closes()).toBe(0);
  });

  it.each(['drop', 'latest', 'complete'] as const)("'%s': the source's return() runs when the client completes the subscription", async (onExceed) => {
    const { sources, client } = await setup(onExceed);
    const op = run(client, 'subscription { ticks }');
    await until(() => op.outcome.data.length >= 3, 'three events');
    op.cancel();
    await until(() => sources[0]!.returnCalls === 1, 'the source to close');
    expect(sources[0]!.returnCalls).toBe(1);
    // Still connected: a new subscription works on the same socket.
    const again = run(client, 'subscription { ticks }');
    await until(() => again.outcome.data.length >= 1, 'a new subscription');
    expect(client.connections()).toBe(1);
  });

  it.each(['drop', 'latest', 'complete'] as const)("'%s': the source's return() runs when the client disconnects", async (onExceed) => {
    const { sources, client } = await setup(onExceed);
    const op = run(client, 'subscription { ticks }');
    await until(() => op.outcome.data.length >= 3, 'three events');
    await client.dispose();
    await until(() => sources[0]!.returnCalls === 1, 'the source to close');
    expect(sources[0]!.returnCalls).toBe(1);
  });

  it("'latest' closes the source when the client leaves while the final event waits for the rate", async () => {
    const { sources, client } = await setup('latest', { count: 200 });
    const op = run(client, 'subscription { ticks }');
    await until(() => sources[0]?.done === true, 'the source to run out');
    await until(() => op.outcome.data.length === 10, 'the first window');
    op.cancel(); // the final event is held, waiting for the next window
    await until(() => sources[0]!.returnCalls === 1, 'the source to close');
    expect(op.outcome.data).toHaveLength(10);
  });

  it.each(['drop', 'latest'] as const)("'%s': a source that always has an event ready does not starve the socket", async (onExceed) => {
    const { sources, client } = await setup(onExceed, { alwaysReady: true });
    const op = run(client, 'subscription { ticks }');
    await until(() => op.outcome.data.length >= 3, 'three events');
    op.cancel();
    await until(() => sources[0]!.returnCalls === 1, 'the source to close');
    const again = await run(client, '{ hello }').finished;
    expect(again.data).toEqual([{ hello: 'world' }]);
  });

  it.each(['drop', 'latest', 'complete'] as const)("'%s': a client completing a quiet subscription ends it at once, even if the source's next() never settles", async (onExceed) => {
    let returnCalls = 0;
    let pulls = 0;
    const completed: string[] = [];
    const silent: AsyncIterableIterator<number> = {
      next: () => {
        pulls++;
        return new Promise<IteratorResult<number>>(() => undefined);
      },
      return: async () => {
        returnCalls++;
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    const server = await startServer(rateLimitSubscriptions({
      schema: tickSchema(() => silent),
      onComplete: (_ctx, id) => {
        completed.push(id);
      },
    }, { messages: { rate: '10/second', onExceed } }));
    cleanups.push(() => server.close());
    const client = connect(server.url);
    cleanups.push(() => client.dispose());
    const op = run(client, 'subscription { ticks }');
    await until(() => pulls > 0, 'the subscription to wait on its source');
    op.cancel();
    // graphql-ws's loop over the stream ended (onComplete), and the source was closed.
    await until(() => completed.length === 1 && returnCalls === 1, 'the subscription to end');
  });

  it('an EXEMPTED caller gets every event', async () => {
    const clock = new ManualClock();
    const server = await startServer(rateLimitSubscriptions({ schema: tickSchema(() => new TickSource(clock, { count: 50 })) }, {
      identify: () => EXEMPTED,
      messages: { rate: '10/second', backend: new InMemoryBackend({ clock: clock.now }) },
    }));
    cleanups.push(() => server.close());
    const client = connect(server.url);
    cleanups.push(() => client.dispose());
    const outcome = await run(client, 'subscription { ticks }').finished;
    expect(outcome.data).toHaveLength(50);
  });
});
