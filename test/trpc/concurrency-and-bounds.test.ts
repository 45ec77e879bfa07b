import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTRPC, TRPCError } from '@trpc/server';
import { createTRPCClient, createWSClient, TRPCClientError, wsLink } from '@trpc/client';
import WebSocket from 'ws';
import { InMemoryBackend } from '../../src/index.js';
import { ConcurrencyLimitStrategy } from '../../src/core/strategies/concurrency-limit.js';
import { rateLimit, rateLimitErrorFormatter } from '../../src/trpc/index.js';
import { startServer, type HttpContext, type RunningServer } from './servers.js';

const t = initTRPC.context<HttpContext>().create({ errorFormatter: rateLimitErrorFormatter });

describe('a concurrency limit on a subscription outliving its lease', () => {
  // 1 subscription at a time per caller, a 300 ms lease, subscriptions of 1.2 s: four leases long.
  const backend = new InMemoryBackend({ namespace: 'trpc-concurrency' });
  const router = t.router({
    ticks: t.procedure
      .use(rateLimit({ uid: 'ticks', rate: '1/minute', strategy: new ConcurrencyLimitStrategy({ leaseMs: 300 }), backend, identify: () => 'caller' }))
      .subscription(async function* () {
        for (let i = 0; i < 12; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          yield i;
        }
      }),
  });
  let server: RunningServer;
  let ws: ReturnType<typeof createWSClient>;
  beforeAll(async () => {
    server = await startServer(router);
    ws = createWSClient({ url: server.wsUrl, WebSocket: WebSocket as never });
  });
  afterAll(async () => { await ws.close(); await server.close(); await backend.close(); });

  /** Subscribes; resolves 'running' at the first event (and unsubscribes), or the error code. */
  function attempt(client: ReturnType<typeof createTRPCClient<typeof router>>): Promise<{ outcome: string; message?: string }> {
    return new Promise((resolve) => {
      const sub = client.ticks.subscribe(undefined, {
        onData: () => { sub.unsubscribe(); resolve({ outcome: 'running' }); },
        onError: (error) => resolve({ outcome: (error as TRPCClientError<typeof router>).data?.code ?? 'error', message: error.message }),
      });
    });
  }

  it('keeps one subscription in flight for its whole life, and admits the next one when it ends', async () => {
    const client = createTRPCClient<typeof router>({ links: [wsLink({ client: ws })] });
    let ended = false;
    const events: number[] = [];
    await new Promise<void>((started) => {
      client.ticks.subscribe(undefined, {
        onStarted: () => started(),
        onData: (value) => { events.push(value); },
        onComplete: () => { ended = true; },
      });
    });
    const refused: string[] = [];
    while (!ended) {
      const { outcome, message } = await attempt(client);
      if (ended) break;
      expect(outcome).toBe('TOO_MANY_REQUESTS');
      expect(message).toMatch(/all 1 slots are in use; one frees as soon as a running call ends \(at the latest in 1 s\)/);
      refused.push(outcome);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(events).toHaveLength(12);
    expect(refused.length).toBeGreaterThanOrEqual(6); // refused well past the 300 ms lease
    expect((await attempt(client)).outcome).toBe('running');
  });
});

describe('user functions that never settle', () => {
  it('fail the call with an error naming the function after functionTimeoutMs, instead of hanging it', async () => {
    const never = new Promise<string>(() => undefined);
    const router = t.router({
      hangingIdentify: t.procedure.use(rateLimit({ rate: '5/second', identify: () => never, functionTimeoutMs: 50 })).query(() => 'ran'),
      hangingCost: t.procedure.use(rateLimit({ rate: '5/second', identify: () => 'k', cost: () => new Promise<number>(() => undefined), functionTimeoutMs: 50 })).query(() => 'ran'),
    });
    const caller = t.createCallerFactory(router)({ req: undefined as never, res: undefined });
    for (const [call, name] of [[() => caller.hangingIdentify(), 'identify'], [() => caller.hangingCost(), 'cost']] as const) {
      const error = await call().catch((e: unknown) => e) as TRPCError;
      expect(error).toBeInstanceOf(TRPCError);
      expect(error.code).toBe('INTERNAL_SERVER_ERROR');
      expect(error.message).toBe(`rateLimit: ${name} did not settle within 50 ms (a function that never settles would hang the request)`);
    }
    expect(() => rateLimit({ rate: '5/second', functionTimeoutMs: 0 })).toThrow(/functionTimeoutMs/);
  });
});
