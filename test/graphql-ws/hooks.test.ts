import { parse } from 'graphql';
import type { ExecutionArgs } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendError, ConfigurationError, InMemoryBackend, type Backend } from '../../src/index.js';
import { rateLimitSubscriptions } from '../../src/graphql/ws/index.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeServer, type ServerOptions } from 'graphql-ws';
import { WebSocketServer } from 'ws';
import { connect, connectRecordingClose, ManualClock, run, startServer, tickSchema, TickSource, until } from './support.js';

// Vite resolves 'graphql' for our source to index.mjs, while graphql-ws (loaded by
// Node) gets index.js: two GraphQLError classes. Installed traffik is loaded by
// Node too, so this alias gives our source the instance it has in production.
vi.mock('graphql', () => import('graphql/index.js'));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("the user's own hooks", () => {
  it('all still run, in graphql-ws order, and their results are kept', async () => {
    const clock = new ManualClock();
    const log: string[] = [];
    const schema = tickSchema(() => new TickSource(clock, { count: 30 }));
    const server = await startServer(rateLimitSubscriptions({
      schema,
      onConnect: () => {
        log.push('onConnect');
        return { welcome: true };
      },
      onSubscribe: (_ctx, _id, payload) => {
        log.push('onSubscribe');
        // The user's own execution args are used as they are.
        const args: ExecutionArgs = { schema, document: parse(payload.query), contextValue: { from: 'user' } };
        return args;
      },
      onOperation: async (_ctx, _id, _payload, args, result) => {
        log.push(`onOperation:${(args.contextValue as { from: string }).from}`);
        // Replace the stream: the limit applies to what the user returns.
        const source = result as AsyncIterable<{ data: { ticks: number } }>;
        return (async function* () {
          for await (const value of source) yield { data: { ticks: value.data.ticks * 10 } };
        })();
      },
      onNext: () => {
        log.push('onNext');
      },
      onError: () => {
        log.push('onError');
      },
      onComplete: () => {
        log.push('onComplete');
      },
      onDisconnect: () => {
        log.push('onDisconnect');
      },
      onClose: () => {
        log.push('onClose');
      },
    }, {
      backend: new InMemoryBackend({ clock: clock.now }),
      identify: () => 'one',
      subscribe: { rate: '1/minute' },
      messages: { rate: '10/second', onExceed: 'drop', backend: new InMemoryBackend({ clock: clock.now }) },
      timers: clock.timers,
    }));
    cleanups.push(() => server.close());
    const client = connect(server.url);
    let acked: unknown;
    client.on('connected', (_socket, payload) => {
      acked = payload;
    });

    const outcome = await run(client, 'subscription { ticks }').finished;
    expect(outcome.completed).toBe(true);
    expect(outcome.data).toEqual(Array.from({ length: 10 }, (_, i) => ({ ticks: i * 10 })));
    const limited = await run(client, 'subscription { ticks }').finished;
    expect(limited.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    await client.dispose();
    await until(() => log.includes('onClose'), 'onClose');

    expect(acked).toEqual({ welcome: true });
    expect(log).toEqual([
      'onConnect',
      'onSubscribe', 'onOperation:user', ...Array<string>(10).fill('onNext'), 'onComplete',
      'onError', // the limited Subscribe: the user's onSubscribe is not called for it
      'onDisconnect', 'onClose',
    ]);
  });

  it("the user's onError may format the RATE_LIMITED error like any other", async () => {
    const server = await startServer(rateLimitSubscriptions({
      schema: tickSchema(() => new TickSource(new ManualClock(), { count: 1 })),
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => ({ message: `formatted: ${e.message}`, extensions: e.extensions })),
    }, { identify: () => 'formatted', uid: 'formatted', subscribe: { rate: '1/hour' } }));
    cleanups.push(() => server.close());
    const client = connect(server.url);
    cleanups.push(() => client.dispose());
    await run(client, '{ hello }').finished;
    const limited = await run(client, '{ hello }').finished;
    expect(limited.errors?.[0]?.message).toMatch(/^formatted: Too many operations started/);
    expect(limited.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });
});

describe('backend failures', () => {
  /** A backend whose store is down: every call rejects. */
  const failing = (onError?: 'raise'): Backend => ({
    namespace: 'down',
    onError,
    apply: () => Promise.reject(new BackendError('store down')),
    applyBatch: () => Promise.reject(new BackendError('store down')),
    reset: () => Promise.reject(new BackendError('store down')),
    close: () => Promise.resolve(),
  });

  it("deny with RATE_LIMITER_UNAVAILABLE and a wait by default ('throttle'), never RATE_LIMITED, and the socket stays open", async () => {
    const server = await startServer(rateLimitSubscriptions({ schema: tickSchema(() => new TickSource(new ManualClock(), { count: 1 })) }, {
      backend: failing(), identify: () => 'x', subscribe: { rate: '10/second' },
    }));
    cleanups.push(() => server.close());
    const client = connect(server.url);
    cleanups.push(() => client.dispose());
    const outcome = await run(client, '{ hello }').finished;
    expect(outcome.errors?.[0]).toMatchObject({
      message: 'Rate limiter unavailable: try again later', extensions: { code: 'RATE_LIMITER_UNAVAILABLE', retryAfterMs: 1000 },
    });
    expect(client.closes()).toBe(0);
  });

  it("with 'raise', the operation gets INTERNAL_SERVER_ERROR without the backend's message, and the socket stays open", async () => {
    const server = await startServer(rateLimitSubscriptions({ schema: tickSchema(() => new TickSource(new ManualClock(), { count: 1 })) }, {
      backend: failing('raise'), identify: () => 'x', subscribe: { rate: '10/second' },
    }));
    cleanups.push(() => server.close());
    const client = connect(server.url);
    cleanups.push(() => client.dispose());
    const outcome = await run(client, '{ hello }').finished;
    expect(outcome.errors?.[0]).toMatchObject({ message: 'Rate limiter failed', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(client.closes()).toBe(0);
  });

  it("with 'raise' on the messages backend, the subscription ends with INTERNAL_SERVER_ERROR and its source closes", async () => {
    const clock = new ManualClock();
    const sources: TickSource[] = [];
    const server = await startServer(rateLimitSubscriptions({
      schema: tickSchema(() => {
        const s = new TickSource(clock);
        sources.push(s);
        return s;
      }),
    }, { messages: { rate: '10/second', backend: failing('raise') } }));
    cleanups.push(() => server.close());
    const client = connect(server.url);
    cleanups.push(() => client.dispose());
    const outcome = await run(client, 'subscription { ticks }').finished;
    expect(outcome.errors?.[0]).toMatchObject({ message: 'Rate limiter failed', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(sources[0]!.returnCalls).toBe(1);
  });
});

describe('configuration', () => {
  const schema = tickSchema(() => new TickSource(new ManualClock()));
  const cases: [string, unknown, RegExp][] = [
    ['no limits', undefined, /limits must be an object/],
    ['neither limit', {}, /at least one of subscribe or messages/],
    ['an unknown option', { subscribe: { rate: '1/s' }, identfy: () => 'x' }, /unknown option "identfy"/],
    ['an unknown subscribe option', { subscribe: { rate: '1/s', max: 2 } }, /unknown option "max"/],
    ['a bad subscribe rate', { subscribe: { rate: '10 a minute' } }, /10 a minute/],
    ['a subscribe limit without rate or cap', { subscribe: {} }, /subscribe needs a rate or a maxConcurrent/],
    ['a bad maxConcurrent', { subscribe: { maxConcurrent: 0 } }, /maxConcurrent must be a whole number/],
    ['a bad cost', { subscribe: { rate: '1/s', cost: -1 } }, /subscribe.cost must be a whole number/],
    ['a bad onExceed', { messages: { rate: '1/s', onExceed: 'queue' } }, /onExceed must be 'drop', 'latest' or 'complete', got "queue"/],
    ['messages without rate', { messages: {} }, /messages needs a rate/],
    ['a bad identify', { subscribe: { rate: '1/s' }, identify: 'ip' }, /identify must be a function/],
    ['bad timers', { messages: { rate: '1/s' }, timers: {} }, /timers must have setTimeout and clearTimeout/],
  ];
  it.each(cases)('rejects %s with ConfigurationError', (_name, limits, message) => {
    const call = () => rateLimitSubscriptions({ schema }, limits as never);
    expect(call).toThrow(ConfigurationError);
    expect(call).toThrow(message);
  });
});

/**
 * A minimal graphql-ws adapter over `ws` whose `extra` holds no HTTP request
 * (as with adapters other than `graphql-ws/use/ws`).
 */
async function startBareAdapter(options: ServerOptions): Promise<string> {
  const server = makeServer(options);
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (socket) => {
    const closed = server.opened({
      protocol: socket.protocol,
      send: (data) => new Promise<void>((resolve) => socket.send(data, () => resolve())),
      close: (code, reason) => socket.close(code, reason),
      onMessage: (cb) => socket.on('message', async (data) => {
        try {
          await cb(String(data));
        } catch (error) {
          socket.close(4500, (error as Error).message.slice(0, 120));
        }
      }),
    }, { adapter: 'bare' });
    socket.once('close', (code, reason) => void closed(code, String(reason)));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
  return `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

describe('adapters without a remote address', () => {
  it('messages limits need no identity', async () => {
    const clock = new ManualClock();
    const url = await startBareAdapter(rateLimitSubscriptions({ schema: tickSchema(() => new TickSource(clock, { count: 300 })) }, {
      messages: { rate: '10/second', backend: new InMemoryBackend({ clock: clock.now }) },
    }));
    const client = connect(url);
    cleanups.push(() => client.dispose());
    const outcome = await run(client, 'subscription { ticks }').finished;
    expect(outcome.completed).toBe(true);
    expect(outcome.data).toHaveLength(20);
  });

  it('Subscribe limits with the default identify fail loudly, naming the identify option', async () => {
    const url = await startBareAdapter(rateLimitSubscriptions({ schema: tickSchema(() => new TickSource(new ManualClock(), { count: 1 })) }, {
      subscribe: { rate: '10/second' },
    }));
    const client = connectRecordingClose(url);
    cleanups.push(() => client.dispose());
    await run(client, '{ hello }').finished;
    expect(client.closeReason()).toMatch(/^4500 .*identify/);
  });

  it('an identify that gives no identity (undefined) closes the socket instead of letting the operation through', async () => {
    const server = await startServer(rateLimitSubscriptions({ schema: tickSchema(() => new TickSource(new ManualClock(), { count: 1 })) }, {
      identify: () => undefined, subscribe: { rate: '10/second' },
    }));
    cleanups.push(() => server.close());
    const client = connectRecordingClose(server.url);
    cleanups.push(() => client.dispose());
    const outcome = await run(client, '{ hello }').finished;
    expect(outcome.data).toEqual([]);
    expect(client.closeReason()).toMatch(/^4500 .*identify must return a string or EXEMPTED, got undefined/);
  });
});
