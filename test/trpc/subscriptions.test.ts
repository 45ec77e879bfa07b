import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTRPC, tracked } from '@trpc/server';
import { createTRPCClient, createWSClient, httpSubscriptionLink, TRPCClientError, wsLink, type TRPCLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import { InMemoryBackend } from '../../src/index.js';
import { rateLimit, rateLimitErrorFormatter } from '../../src/trpc/index.js';
import { manualClock, startServer, type HttpContext, type RunningServer } from './servers.js';

const clock = manualClock();
const backend = new InMemoryBackend({ namespace: 'trpc-subscriptions', clock: clock.now });

/** Pushes values to every open subscription; counts the sources closed. */
const hub = {
  queues: new Set<{ values: number[]; wake?: () => void }>(),
  closed: 0,
  push(value: number) {
    for (const queue of hub.queues) { queue.values.push(value); queue.wake?.(); }
  },
};

/** A source that ignores the abort signal: only the limiter's return() can close it while it waits. */
async function* feed(): AsyncGenerator<ReturnType<typeof tracked<number>>> {
  const queue: { values: number[]; wake?: () => void } = { values: [] };
  hub.queues.add(queue);
  try {
    while (true) {
      while (queue.values.length === 0) await new Promise<void>((resolve) => { queue.wake = resolve; });
      const value = queue.values.shift()!;
      yield tracked(String(value), value);
    }
  } finally {
    hub.queues.delete(queue);
    hub.closed++;
  }
}

const t = initTRPC.context<HttpContext>().create({ errorFormatter: rateLimitErrorFormatter });
type Input = { user: string };
const byUser = ({ input }: { input: unknown }): string => (input as Input).user;
/** Counts the subscriptions whose abort (unsubscribe) reached the server. */
let aborts = 0;
const limitedFeed = (onExceed: 'drop' | 'latest' | 'complete') => t.procedure
  .input((v) => v as Input)
  .use(({ signal, next }) => {
    signal?.addEventListener('abort', () => { aborts++; }, { once: true });
    return next();
  })
  .use(rateLimit({ uid: `sub-${onExceed}`, rate: '2/minute', backend, identify: byUser, messages: { rate: '3/200ms', onExceed } }))
  .subscription(feed);
const router = t.router({
  drop: limitedFeed('drop'),
  latest: limitedFeed('latest'),
  complete: limitedFeed('complete'),
});
type AppRouter = typeof router;

let server: RunningServer;
beforeAll(async () => { server = await startServer(router); });
afterAll(async () => { await server.close(); await backend.close(); });

interface Recording {
  ids: string[];
  values: number[];
  errors: TRPCClientError<AppRouter>[];
  completed: boolean;
  unsubscribe(): void;
}

function record(client: ReturnType<typeof createTRPCClient<AppRouter>>, path: 'drop' | 'latest' | 'complete', user: string): Recording {
  const recording: Recording = { ids: [], values: [], errors: [], completed: false, unsubscribe: () => undefined };
  const subscription = client[path].subscribe({ user }, {
    onData: (event) => { recording.ids.push(event.id); recording.values.push(event.data); },
    onError: (error) => { recording.errors.push(error as TRPCClientError<AppRouter>); },
    onComplete: () => { recording.completed = true; },
    onStopped: () => { recording.completed = true; },
  });
  recording.unsubscribe = () => subscription.unsubscribe();
  return recording;
}

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 2));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}
/**
 * Unsubscribes and checks the source iterator gets closed: once the abort
 * reached the server, the source (waiting for its next value, ignoring the
 * signal) is closed by the limiter's return() as soon as it wakes, without
 * delivering.
 */
async function unsubscribeAndCheckClosed(sub: Recording): Promise<void> {
  const closedBefore = hub.closed;
  const abortsBefore = aborts;
  sub.unsubscribe();
  await waitUntil(() => aborts === abortsBefore + 1, 'the server to see the unsubscribe');
  const delivered = sub.values.length;
  hub.push(100);
  await waitUntil(() => hub.closed === closedBefore + 1, 'the source to close');
  await settle();
  expect(sub.values.length).toBe(delivered);
}
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

const transports: [string, () => { links: TRPCLink<AppRouter>[]; close(): void }][] = [
  ['WebSocket (applyWSSHandler + wsLink)', () => {
    const ws = createWSClient({ url: server.wsUrl, WebSocket: WebSocket as never });
    return { links: [wsLink({ client: ws })], close: () => void ws.close() };
  }],
  ['SSE (httpSubscriptionLink)', () => ({ links: [httpSubscriptionLink({ url: server.url, EventSource })], close: () => undefined })],
];

describe.each(transports)('subscriptions over %s', (_name, connect) => {
  it('limits subscribes like calls; the client gets TOO_MANY_REQUESTS with data.rateLimit', async () => {
    clock.advance(60_000 - (clock.now() % 60_000));
    const { links, close } = connect();
    const client = createTRPCClient<AppRouter>({ links });
    const user = `subscriber-${_name.slice(0, 3)}`;
    const first = record(client, 'drop', user);
    const second = record(client, 'drop', user);
    const third = record(client, 'drop', user);
    await waitUntil(() => third.errors.length === 1, 'the third subscribe to fail');
    expect(third.errors[0]!.data?.code).toBe('TOO_MANY_REQUESTS');
    expect(third.errors[0]!.data?.rateLimit).toEqual({ retryAfterMs: 60_000, limit: 2, remaining: 0, resetAfterMs: 60_000 });
    expect(first.errors).toEqual([]);
    expect(second.errors).toEqual([]);
    await unsubscribeAndCheckClosed(first);
    await unsubscribeAndCheckClosed(second);
    expect(hub.queues.size).toBe(0);
    close();
  });

  it("'drop' skips events over the limit, keeps tracked() ids, and closes the source on unsubscribe", async () => {
    clock.advance(200 - (clock.now() % 200));
    const { links, close } = connect();
    const sub = record(createTRPCClient<AppRouter>({ links }), 'drop', `dropper-${_name.slice(0, 3)}`);
    await waitUntil(() => hub.queues.size === 1, 'the subscription to start');
    for (let i = 1; i <= 5; i++) hub.push(i);
    await waitUntil(() => sub.values.length === 3, 'three events');
    await settle();
    expect(sub.values).toEqual([1, 2, 3]);
    expect(sub.ids).toEqual(['1', '2', '3']);
    clock.advance(200); // next window
    hub.push(6);
    await waitUntil(() => sub.values.length === 4, 'the next window');
    expect(sub.values).toEqual([1, 2, 3, 6]);
    await unsubscribeAndCheckClosed(sub);
    expect(sub.values).toEqual([1, 2, 3, 6]);
    close();
  });

  it("'latest' holds back the newest event over the limit and sends it when the limit allows", async () => {
    clock.advance(200 - (clock.now() % 200));
    const { links, close } = connect();
    const sub = record(createTRPCClient<AppRouter>({ links }), 'latest', `latest-${_name.slice(0, 3)}`);
    await waitUntil(() => hub.queues.size === 1, 'the subscription to start');
    for (let i = 1; i <= 6; i++) hub.push(i);
    await waitUntil(() => sub.values.length === 3, 'three events');
    await settle();
    expect(sub.values).toEqual([1, 2, 3]); // 4 and 5 were replaced by 6, which waits
    clock.advance(200); // the held-back event is checked again after retryAfterMs (200 ms)
    await waitUntil(() => sub.values.length === 4, 'the held-back event');
    expect(sub.values).toEqual([1, 2, 3, 6]);
    expect(sub.ids).toEqual(['1', '2', '3', '6']);
    await unsubscribeAndCheckClosed(sub);
    close();
  });

  it("'complete' ends the subscription with TOO_MANY_REQUESTS at the first event over the limit and closes the source", async () => {
    clock.advance(200 - (clock.now() % 200));
    const { links, close } = connect();
    const closedBefore = hub.closed;
    const sub = record(createTRPCClient<AppRouter>({ links }), 'complete', `completer-${_name.slice(0, 3)}`);
    await waitUntil(() => hub.queues.size === 1, 'the subscription to start');
    for (let i = 1; i <= 5; i++) hub.push(i);
    await waitUntil(() => hub.closed === closedBefore + 1, 'the source to close');
    await waitUntil(() => sub.errors.length === 1, 'the client to see the end');
    expect(sub.values).toEqual([1, 2, 3]);
    const ended = sub.errors[0]!;
    expect(ended.data?.code).toBe('TOO_MANY_REQUESTS');
    expect(ended.message).toMatch(/^Subscription ended: its events exceeded the rate limit/);
    expect(ended.data?.rateLimit?.limit).toBe(3);
    sub.unsubscribe();
    close();
  });
});
