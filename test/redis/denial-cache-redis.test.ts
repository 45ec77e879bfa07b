/**
 * The denial cache on Redis (`rememberDenials`, on by default): a flood of
 * denied hits costs Redis nothing after the first denial and is served at
 * least 10x faster than without the cache; answers from memory equal what
 * Redis would have said (replays, every strategy that declares
 * `denialsHoldUntilRetry`, one and two rates); this process's reset, charge
 * and refund make the next hit ask Redis again.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { Rate, SlidingWindowLogStrategy, Throttle } from '../../src/index.js';
import { scopeKey, stateSuffix } from '../../src/extend.js';
import { RedisBackend } from '../../src/redis.js';
import { startRedis, type RedisServer } from '../harness/servers.js';
import { RATE_SETS, replayAgainstMemory } from './support/replay.js';
import { builtInStrategies } from './support/strategies.js';

const ns = `denials${process.pid}`;
let server: RedisServer;
let admin: Redis;
let shared: Redis;
beforeAll(async () => {
  // A private server: its command counts are this file's alone.
  server = await startRedis();
  admin = new Redis(server.url);
  shared = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  admin?.disconnect();
  await shared?.quit();
  await server?.stop();
});

/** Redis commands run since the last RESETSTAT, by name (without the RESETSTAT itself). */
async function commandCounts(): Promise<Record<string, number>> {
  const lines = (await admin.info('commandstats')).split('\r\n').filter((line) => line.startsWith('cmdstat_') && !line.startsWith('cmdstat_config'));
  return Object.fromEntries(lines.map((line) => [line.slice(8, line.indexOf(':')), Number(/calls=(\d+)/.exec(line)![1])]));
}

/** Sends `count` denied hits one after another; returns the time taken, ms. */
async function flood(throttle: Throttle, count: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const decision = await throttle.hit('attacker');
    if (decision.allowed) throw new Error(`hit ${i} of the flood was allowed`);
  }
  return performance.now() - start;
}

describe('RedisBackend remembers denials', () => {
  it('serves a denied flood of 100,000 hits with zero Redis commands after the first denial, at least 10x faster than without', async () => {
    const strategy = new SlidingWindowLogStrategy();
    const remembering = new RedisBackend({ url: server.url, namespace: `${ns}a` });
    const asking = new RedisBackend({ url: server.url, namespace: `${ns}b`, rememberDenials: false });
    try {
      const cached = new Throttle({ uid: 'flood', rate: '5/hour', strategy, backend: remembering, onError: 'raise' });
      const uncached = new Throttle({ uid: 'flood', rate: '5/hour', strategy, backend: asking, onError: 'raise' });
      for (const throttle of [cached, uncached]) {
        for (let i = 0; i < 5; i++) expect((await throttle.hit('attacker')).allowed).toBe(true);
        const first = await throttle.hit('attacker');
        expect(first).toMatchObject({ allowed: false, remaining: 0 });
        expect(first.retryAfterMs).toBeGreaterThan(3_500_000);
      }
      await admin.config('RESETSTAT');
      // Warmed up (compiled) first, like the uncached path whose first hits above went to Redis.
      await flood(cached, 20_000);
      const withCache = await flood(cached, 100_000);
      expect(await commandCounts()).toEqual({});
      // Timed again in slices alternating with the uncached flood, so load from elsewhere falls on both alike.
      let cachedMs = 0;
      let uncachedMs = 0;
      for (let slice = 0; slice < 10; slice++) {
        cachedMs += await flood(cached, 10_000);
        uncachedMs += await flood(uncached, 10_000);
      }
      expect(withCache).toBeGreaterThan(0);
      const withoutCache = uncachedMs;
      expect((await commandCounts()).evalsha).toBe(100_000);
      expect(withoutCache / cachedMs).toBeGreaterThanOrEqual(10);
      // The answers count down: a later one has a shorter retry time, never a longer one.
      const later = await cached.hit('attacker');
      expect(later.retryAfterMs).toBeLessThanOrEqual((await uncached.hit('attacker')).retryAfterMs + 50);
    } finally {
      await remembering.close();
      await asking.close();
    }
  });

  it('asks Redis again after this process resets, charges or refunds the key', async () => {
    const backend = new RedisBackend({ url: server.url, namespace: `${ns}c` });
    const strategy = new SlidingWindowLogStrategy();
    const rate = Rate.parse('2/hour');
    const scope = scopeKey('ops', 'attacker');
    const hit = { strategy, scope, keys: [scope + stateSuffix(strategy.name, rate)], rates: [rate], cost: 1 };
    const evalshas = async () => (await commandCounts()).evalsha ?? 0;
    try {
      const throttle = new Throttle({ uid: 'ops', rate: '2/hour', strategy, backend, onError: 'raise' });
      await throttle.hit('attacker');
      await throttle.hit('attacker');
      expect((await throttle.hit('attacker')).allowed).toBe(false);
      await admin.config('RESETSTAT');
      expect((await throttle.hit('attacker')).allowed).toBe(false);
      expect(await evalshas()).toBe(0);
      // A refund of one unit: the next hit is allowed, and Redis is asked.
      expect((await backend.apply({ ...hit, op: 'refund' }))[0]!.allowed).toBe(true);
      expect((await throttle.hit('attacker')).allowed).toBe(true);
      expect((await throttle.hit('attacker')).allowed).toBe(false);
      await admin.config('RESETSTAT');
      // A charge forgets too (the numbers change): asked again, still denied.
      await backend.apply({ ...hit, op: 'charge' });
      expect((await throttle.hit('attacker')).remaining).toBe(0);
      expect(await evalshas()).toBe(2);
      await admin.config('RESETSTAT');
      await throttle.reset('attacker');
      expect((await throttle.hit('attacker')).allowed).toBe(true);
      expect(await evalshas()).toBe(1);
    } finally {
      await backend.close();
    }
  });
});

describe('Answers from memory equal what Redis would have said', () => {
  const declaring = builtInStrategies().filter(([, strategy]) => strategy.denialsHoldUntilRetry === true);

  it('covers the strategies that declare denialsHoldUntilRetry', () => {
    expect(declaring.map(([label]) => label)).toContain('sliding window log');
    expect(declaring.length).toBeGreaterThanOrEqual(5);
  });

  for (const [label, strategy] of declaring) {
    it(`${label}, one and two rates, one event per tick and a few`, async () => {
      const answered = await Promise.all(RATE_SETS.flatMap((rates, r) => [false, true].map((bursts) =>
        replayAgainstMemory(shared, ns, `${label} (denials remembered)`, strategy, rates, 900 + r, 1500, undefined, bursts, true))));
      // Each replay answered hits from memory, or it would prove nothing.
      for (const count of answered) expect(count).toBeGreaterThan(0);
    });
  }
});
