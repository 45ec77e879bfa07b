/**
 * A backend chosen per hit from its context (multi-tenant: a tenant's own
 * Redis namespace, or the in-process backend), on real Redis.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ConcurrencyLimitStrategy, ConfigurationError, InMemoryBackend, Throttle, type Backend } from '../../src/index.js';
import { RedisBackend } from '../../src/redis.js';

interface Tenant { tenant: 'acme' | 'globex' | 'free' }

const redisUrl = inject('redisUrl');
const acme = new RedisBackend({ url: redisUrl, namespace: `acme-${process.pid}` });
const globex = new RedisBackend({ url: redisUrl, namespace: `globex-${process.pid}` });
const local = new InMemoryBackend({ namespace: 'free' });
const backends: Record<Tenant['tenant'], Backend> = { acme, globex, free: local };

afterAll(async () => {
  await Promise.all([acme.close(), globex.close(), local.close()]);
});

describe('Throttle backend: a function of the context', () => {
  it("one tenant's flood leaves the others untouched; the function is called once per hit", async () => {
    let calls = 0;
    const throttle = new Throttle<Tenant>({
      uid: `tenants-${Date.now()}`, rate: '5/minute',
      backend: (context) => {
        calls++;
        return backends[context?.tenant ?? 'free'];
      },
    });
    for (let i = 0; i < 10; i++) await throttle.hit('user-1', { context: { tenant: 'acme' } });
    expect(calls).toBe(10);
    expect((await throttle.hit('user-1', { context: { tenant: 'acme' } })).allowed).toBe(false);
    for (const tenant of ['globex', 'free'] as const) {
      const d = await throttle.hit('user-1', { context: { tenant } });
      expect(d).toMatchObject({ allowed: true, remaining: 4 });
    }
    expect((await throttle.stats('user-1', { context: { tenant: 'globex' } })).decision.remaining).toBe(3);
    await throttle.reset('user-1', { context: { tenant: 'acme' } });
    expect((await throttle.hit('user-1', { context: { tenant: 'acme' } })).allowed).toBe(true);
  });

  it('acquire releases the slot on the backend it was taken on', async () => {
    const throttle = new Throttle<Tenant>({
      uid: `slots-${Date.now()}`, rate: '1/minute', strategy: new ConcurrencyLimitStrategy(),
      backend: (context) => backends[context!.tenant],
    });
    const held = await throttle.acquire('job', { context: { tenant: 'globex' } });
    expect(held.decision.allowed).toBe(true);
    expect((await throttle.hit('job', { context: { tenant: 'globex' } })).allowed).toBe(false);
    expect((await throttle.hit('job', { context: { tenant: 'acme' } })).allowed).toBe(true);
    await held.release();
    const again = await throttle.acquire('job', { context: { tenant: 'globex' } });
    expect(again.decision.allowed).toBe(true);
    await again.release();
  });

  it('what the function throws, or a value that is not a backend, rejects the hit (never an outage, never onError)', async () => {
    const errors: unknown[] = [];
    const throwing = new Throttle<Tenant>({
      uid: 'bad', rate: '5/minute', onError: (error) => { errors.push(error); return 0; },
      backend: () => { throw new Error('unknown tenant'); },
    });
    await expect(throwing.hit('k')).rejects.toThrow('unknown tenant');
    const wrong = new Throttle<Tenant>({ uid: 'bad', rate: '5/minute', backend: () => 'redis' as unknown as Backend });
    await expect(wrong.hit('k')).rejects.toThrow(ConfigurationError);
    await expect(wrong.hit('k')).rejects.toThrow(/the backend function returned "redis", not a Backend/);
    expect(errors).toEqual([]);
  });

  it('a backend that is neither a Backend nor a function is refused at construction', () => {
    expect(() => new Throttle({ uid: 'x', rate: '1/s', backend: { namespace: 'n' } as never })).toThrow(/backend must implement the Backend interface or be a function of the context/);
  });
});

describe('Throttle.wait with a backend function', () => {
  it('tenants have their own lines: a waiter of one never queues behind another tenant on the same key', async () => {
    const slow = new InMemoryBackend({ namespace: 'slow' });
    const fast = new InMemoryBackend({ namespace: 'fast' });
    let calls = 0;
    const throttle = new Throttle<{ tenant: 'slow' | 'fast' }>({
      uid: 'lines', rate: '1/minute',
      backend: (context) => {
        calls++;
        return context?.tenant === 'fast' ? fast : slow;
      },
    });
    await throttle.hit('job', { context: { tenant: 'slow' } });
    const controller = new AbortController();
    const stuck = throttle.wait('job', { context: { tenant: 'slow' }, signal: controller.signal });
    calls = 0;
    // Same key, other tenant: admitted at once, although the slow tenant's waiter is still in its line.
    expect((await throttle.wait('job', { context: { tenant: 'fast' } })).allowed).toBe(true);
    expect(calls).toBe(1);
    controller.abort();
    await expect(stuck).rejects.toMatchObject({ name: 'AbortError' });
    await Promise.all([slow.close(), fast.close()]);
  });
});
