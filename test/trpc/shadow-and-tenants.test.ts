import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { initTRPC } from '@trpc/server';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { InMemoryBackend, Throttle, type Backend } from '../../src/index.js';
import type { DecisionEvent } from '../../src/core/metrics/decision-event.js';
import { RedisBackend } from '../../src/redis.js';
import { rateLimit, rateLimitErrorFormatter } from '../../src/trpc/index.js';
import { startRedis, type RedisServer } from '../harness/servers.js';
import { manualClock, startServer, type HttpContext, type RunningServer } from './servers.js';

type TenantContext = HttpContext & { tenant: string };
const t = initTRPC.context<TenantContext>().create({ errorFormatter: rateLimitErrorFormatter });

describe("mode: 'shadow'", () => {
  const clock = manualClock();
  const backend = new InMemoryBackend({ namespace: 'trpc-shadow', clock: clock.now });
  const events: DecisionEvent[] = [];
  const router = t.router({
    q: t.procedure
      .use(rateLimit({ uid: 'shadow', rate: '3/minute', backend, identify: () => 'k', mode: 'shadow', onDecision: (event) => events.push({ ...event }) })) // the event object is reused: copy it
      .query(() => 'ran'),
  });
  let server: RunningServer;
  beforeAll(async () => { server = await startServer(router); });
  afterAll(async () => { await server.close(); await backend.close(); });

  it('a burst over the limit all succeeds; the headers and onDecision show the would-be denials', async () => {
    clock.advance(60_000 - (clock.now() % 60_000) + 15_000);
    const responses: Response[] = [];
    for (let i = 0; i < 6; i++) responses.push(await fetch(`${server.url}/q`));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(responses.slice(0, 3).map((r) => r.headers.get('ratelimit'))).toEqual([null, null, null]);
    for (const denied of responses.slice(3)) {
      expect(denied.headers.get('ratelimit')).toBe('"shadow";r=0;t=45');
      expect(denied.headers.get('ratelimit-policy')).toBe('"shadow";q=3;w=60');
      expect(denied.headers.get('retry-after')).toBeNull(); // the call was served: nothing to retry
    }
    expect(events.map((e) => e.outcome)).toEqual(['allowed', 'allowed', 'allowed', 'denied', 'denied', 'denied']);
    expect(events[3]!.decision).toMatchObject({ allowed: true, shadowDenied: true, remaining: 0, retryAfterMs: 45_000 });
  });
});

describe('a backend per tenant (backend as a function of the call)', () => {
  let second: RedisServer;
  const backends = new Map<string, Backend>();
  let server: RunningServer;
  const ns = `trpc-tenants-${process.pid}-${Date.now()}`;
  const router = t.router({
    q: t.procedure
      .use(rateLimit({ uid: 'tenants', rate: '5/minute', identify: () => 'same-user', backend: ({ ctx }) => backends.get(ctx.tenant)! }))
      .query(({ ctx }) => ctx.tenant),
  });
  beforeAll(async () => {
    second = await startRedis();
    backends.set('red', new RedisBackend({ url: inject('redisUrl'), namespace: ns }));
    backends.set('blue', new RedisBackend({ url: second.url, namespace: ns }));
    backends.set('local', new InMemoryBackend({ namespace: ns }));
    server = await startServer(router, (req) => ({ tenant: String(req.headers['x-tenant']) }));
  }, 30_000);
  afterAll(async () => {
    await server.close();
    for (const backend of backends.values()) await backend.close();
    await second.stop();
  });

  it("one tenant's flood leaves the others untouched, and each tenant's state lives in its own store", async () => {
    const clientOf = (tenant: string) => createTRPCClient<typeof router>({ links: [httpLink({ url: server.url, headers: { 'x-tenant': tenant } })] });
    const red = clientOf('red');
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) outcomes.push(await red.q.query().then(() => 'ok', (e: TRPCClientError<typeof router>) => e.data?.code ?? 'error'));
    expect(outcomes).toEqual([...Array<string>(5).fill('ok'), 'TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
    // The flood is in red's store only.
    const remainingIn = async (tenant: string) =>
      (await new Throttle({ uid: 'tenants', rate: '5/minute', backend: backends.get(tenant)! }).peek('same-user', { cost: 0 })).remaining;
    expect([await remainingIn('red'), await remainingIn('blue'), await remainingIn('local')]).toEqual([0, 5, 5]);
    for (const tenant of ['blue', 'local']) {
      const other = clientOf(tenant);
      for (let i = 0; i < 5; i++) expect(await other.q.query()).toBe(tenant);
    }
  });
});
