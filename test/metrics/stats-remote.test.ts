/**
 * `Throttle.stats` on the remote backends: the state read back from Redis
 * and Memcached (the shared servers) reads exactly as the in-process one.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { GCRAStrategy, InMemoryBackend, SlidingWindowLogStrategy, Throttle, TokenBucketStrategy, type AnyStrategy, type Backend } from '../../src/index.js';
import { MemcachedBackend } from '../../src/memcached.js';
import { RedisBackend } from '../../src/redis.js';

const opened: Backend[] = [];
afterAll(async () => {
  await Promise.all(opened.map((b) => b.close()));
});

const remotes: [string, (clock: () => number) => Backend][] = [
  ['Redis', (clock) => new RedisBackend({ url: inject('redisUrl'), namespace: `stats${process.pid}`, clock })],
  ['Memcached', (clock) => new MemcachedBackend({ servers: inject('memcachedServers'), namespace: `stats${process.pid}`, clock })],
];
const strategies: AnyStrategy[] = [new TokenBucketStrategy({ burstSize: 20 }), new SlidingWindowLogStrategy(), new GCRAStrategy({ burstToleranceMs: 3000 })];

describe.each(remotes)('Throttle.stats on %s', (_name, make) => {
  it('describes the stored state as the in-process backend does, for the same hits at the same times', async () => {
    for (const strategy of strategies) {
      const clock = { now: 5_000_000 };
      const remote = make(() => clock.now);
      opened.push(remote);
      const local = new InMemoryBackend({ clock: () => clock.now });
      const uid = `s-${strategy.name}-${Math.random()}`;
      const throttles = [remote, local].map((backend) => new Throttle({ uid, rate: '10/10s', strategy, backend }));
      for (const throttle of throttles) {
        await throttle.hit('k', { cost: 4 });
      }
      clock.now += 1500;
      const [fromRemote, fromLocal] = await Promise.all(throttles.map((t) => t.stats('k')));
      expect(fromRemote!.error).toBeUndefined();
      expect(fromRemote!.rates[0]!.state, strategy.name).toEqual(fromLocal!.rates[0]!.state);
      expect(fromRemote!.rates[0]!.state!.summary.length).toBeGreaterThan(10);
      expect(fromRemote!.decision.remaining).toBe(fromLocal!.decision.remaining);
    }
  });
});

describe('Throttle.stats on Redis without a clock', () => {
  it("reads the server's TIME for the description", async () => {
    const backend = new RedisBackend({ url: inject('redisUrl'), namespace: `stats-time${process.pid}` });
    opened.push(backend);
    const throttle = new Throttle({ uid: `t-${Math.random()}`, rate: '10/hour', strategy: new GCRAStrategy(), backend });
    await throttle.hit('k', { cost: 2 });
    const before = Date.now();
    const state = (await throttle.stats('k')).rates[0]!.state!;
    // tat = now + backlog / rate; two units at 10/hour are 720,000 ms of backlog, minus the ms since the hit
    expect(state.values.tatInMs).toBeGreaterThan(719_000);
    expect(state.values.tatInMs).toBeLessThanOrEqual(720_000);
    expect(Math.abs(state.values.tat! - state.values.tatInMs! - before)).toBeLessThan(5000);
  });
});
