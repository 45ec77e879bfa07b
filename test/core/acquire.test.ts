import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, inject, it, vi } from 'vitest';
import { InMemoryBackend } from '../../src/core/backends/in-memory.js';
import type { Backend } from '../../src/core/backends/backend.js';
import { redisKeys } from '../../src/core/backends/redis/keys.js';
import { scopeKey, stateSuffix } from '../../src/core/keys.js';
import { Rate } from '../../src/core/rate.js';
import { ConcurrencyLimitStrategy, type ConcurrencyLimitState } from '../../src/core/strategies/concurrency-limit.js';
import { Throttle } from '../../src/core/throttle.js';
import { TieredStrategy } from '../../src/core/strategies/tiered.js';
import { MemcachedBackend } from '../../src/memcached.js';
import { RedisBackend } from '../../src/redis.js';

describe('the renew step of ConcurrencyLimitStrategy', () => {
  const s = new ConcurrencyLimitStrategy({ leaseMs: 100 });

  it('extends a live lease even when the limit has shrunk, and re-acquires a lapsed one only if it fits', () => {
    const two = Rate.parse('2/1s');
    const one = Rate.parse('1/1s');
    let state: ConcurrencyLimitState = { leases: [] };
    state = s.step(state, 0, 1, two, ['acquire', 'a']).state;
    state = s.step(state, 10, 1, two, ['acquire', 'b']).state;
    // The limit drops to 1 (a rate function, a tier): b is running and keeps its slot.
    const renewed = s.step(state, 50, 1, one, ['renew', 'b']);
    expect(renewed.decision).toMatchObject({ allowed: true, remaining: 0 });
    expect(renewed.state.leases).toEqual([{ id: 'a', expiresAt: 100, units: 1 }, { id: 'b', expiresAt: 150, units: 1 }]);
    // An unknown or lapsed id is an acquire: refused while the others fill the limit.
    const lapsed = s.step(renewed.state, 60, 1, one, ['renew', 'c']);
    expect(lapsed.decision).toMatchObject({ allowed: false, retryAfterMs: 90 }); // both a and b must lapse for 1 unit under a limit of 1
    expect(s.step(renewed.state, 60, 1, two, ['renew', 'c']).decision.allowed).toBe(false);
    expect(s.step(renewed.state, 120, 1, two, ['renew', 'c']).decision.allowed).toBe(true);
  });
});

afterEach(() => { vi.useRealTimers(); });

describe('Throttle.acquire keeps a live holder\'s slot (in-process, fake timers)', () => {
  it('never admits a second holder while the first works for 8 leases, and admits one at once after release', async () => {
    vi.useFakeTimers();
    const backend = new InMemoryBackend({ namespace: 'acquire-heartbeat', clock: () => Date.now() });
    const throttle = new Throttle({ uid: 'jobs', rate: '1/minute', strategy: new ConcurrencyLimitStrategy({ leaseMs: 300 }), backend });
    const first = await throttle.acquire('k');
    expect(first.decision.allowed).toBe(true);
    for (let elapsed = 0; elapsed < 2_400; elapsed += 50) {
      await vi.advanceTimersByTimeAsync(50);
      const other = await throttle.acquire('k');
      expect(other.decision.allowed).toBe(false);
      // The wait is bounded by one lease (a dead holder frees by then), never the minute of the rate.
      expect(other.decision.retryAfterMs).toBeLessThanOrEqual(300);
    }
    await first.release();
    const second = await throttle.acquire('k');
    expect(second.decision.allowed).toBe(true);
    await second.release();
    await backend.close();
  });

  it('without a heartbeat (heartbeat: false) the slot lapses after one lease, as before', async () => {
    vi.useFakeTimers();
    const backend = new InMemoryBackend({ namespace: 'acquire-no-heartbeat', clock: () => Date.now() });
    const throttle = new Throttle({ uid: 'jobs', rate: '1/minute', strategy: new ConcurrencyLimitStrategy({ leaseMs: 300 }), backend });
    const first = await throttle.acquire('k', { heartbeat: false });
    await vi.advanceTimersByTimeAsync(301);
    const second = await throttle.acquire('k');
    expect(second.decision.allowed).toBe(true);
    await first.release();
    await second.release();
    await backend.close();
  });
});

const remoteBackends: [string, (namespace: string) => Backend][] = [
  ['Redis (the Lua twin renews)', (namespace) => new RedisBackend({ url: inject('redisUrl'), namespace })],
  ['Memcached', (namespace) => new MemcachedBackend({ servers: inject('memcachedServers'), namespace })],
];

describe.each(remoteBackends)('Throttle.acquire on %s', (_name, makeBackend) => {
  const backends: Backend[] = [];
  afterAll(async () => { for (const backend of backends) await backend.close(); });

  it('3 holders racing for 2 slots over 4 leases: never more than 2 in flight; released slots are taken at once', async () => {
    const backend = makeBackend(`acquire-${process.pid}-${Date.now()}`);
    backends.push(backend);
    const throttle = new Throttle({ uid: 'jobs', rate: '2/minute', strategy: new ConcurrencyLimitStrategy({ leaseMs: 150 }), backend });
    const held = [await throttle.acquire('k'), await throttle.acquire('k')];
    expect(held.map((h) => h.decision.allowed)).toEqual([true, true]);
    const started = Date.now();
    while (Date.now() - started < 600) {
      await new Promise((resolve) => setTimeout(resolve, 40));
      expect((await throttle.acquire('k')).decision.allowed).toBe(false);
    }
    await held[0]!.release();
    const third = await throttle.acquire('k');
    expect(third.decision.allowed).toBe(true);
    expect((await throttle.acquire('k')).decision.allowed).toBe(false);
    await Promise.all([held[1]!.release(), third.release()]);
  });
});

describe('the renew step\'s Lua twin decides as TypeScript does', () => {
  it('renews a live lease past a shrunk limit, and treats a lapsed id as an acquire', async () => {
    const client = new Redis(inject('redisUrl'));
    const namespace = `renew-${process.pid}-${Date.now()}`;
    const now = 1_700_000_000_000;
    const backend = new RedisBackend({ client, namespace, clock: () => now });
    const strategy = new ConcurrencyLimitStrategy({ leaseMs: 1000 });
    const state = { leases: [{ id: 'a', expiresAt: now + 100, units: 1 }, { id: 'b', expiresAt: now + 400, units: 1 }] };
    try {
      for (const [rateText, id] of [['1/s', 'b'], ['1/s', 'c'], ['3/s', 'c'], ['2/s', 'gone']] as const) {
        const rates = [Rate.parse(rateText)];
        const scope = scopeKey('renew', 'k');
        const keys = rates.map((r) => scope + stateSuffix(strategy.name, r));
        const [redisKey] = redisKeys(namespace, scope, keys);
        await client.set(redisKey!, strategy.serialize(state));
        const expected = strategy.step(state, now, 1, rates[0]!, ['renew', id]);
        expect(await backend.apply({ strategy, scope, keys, rates, cost: 1, args: ['renew', id] })).toEqual([expected.decision]);
        expect(strategy.parse((await client.get(redisKey!))!)).toEqual(expected.state);
      }
    } finally {
      await backend.close();
      client.disconnect();
    }
  });
});

describe('Throttle.acquire through a wrapper (TieredStrategy over a concurrency limit)', () => {
  it("keeps a live holder's slot too: the heartbeat uses the base's lease time", async () => {
    vi.useFakeTimers();
    const backend = new InMemoryBackend({ namespace: 'acquire-tiered', clock: () => Date.now() });
    const strategy = new TieredStrategy({ base: new ConcurrencyLimitStrategy({ leaseMs: 300 }), tiers: { free: 1, pro: 2 }, tierOf: () => 'free' });
    const throttle = new Throttle({ uid: 'jobs', rate: '1/minute', strategy, backend });
    const first = await throttle.acquire('k');
    expect(first.decision.allowed).toBe(true);
    await vi.advanceTimersByTimeAsync(1_500);
    expect((await throttle.acquire('k')).decision.allowed).toBe(false);
    await first.release();
    expect((await throttle.acquire('k')).decision.allowed).toBe(true);
    await backend.close();
  });
});
