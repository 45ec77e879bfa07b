/**
 * The sliding window log kept in place on Redis (sliding-window-log.lua.ts):
 * a long run whose entries keep leaving the window decides as in-process
 * hit for hit, the stored text stays bounded (cut entries are compacted
 * away) and reads back as the in-process state; and a hit on a log of
 * 1,000 entries costs Redis about what a hit on a log of 10 does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { InMemoryBackend, Rate, SlidingWindowLogStrategy, Throttle } from '../../src/index.js';
import { scopeKey, stateSuffix } from '../../src/extend.js';
import { redisKeys } from '../../src/core/backends/redis/keys.js';
import { RedisBackend } from '../../src/redis.js';
import { startRedis, type RedisServer } from '../harness/servers.js';
import { manualClock, seededRandom } from '../support/traces.js';

let server: RedisServer;
let admin: Redis;
beforeAll(async () => {
  server = await startRedis();
  admin = new Redis(server.url);
});
afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
});

const strategy = new SlidingWindowLogStrategy();

function stateKey(namespace: string, uid: string, identity: string, rate: string): string {
  const scope = scopeKey(uid, identity);
  return redisKeys(namespace, scope, [scope + stateSuffix(strategy.name, Rate.parse(rate))])[0]!;
}

describe('Sliding window log stored in place on Redis', () => {
  it('decides as in-process over a long run whose entries keep leaving the window, with the stored text bounded', async () => {
    const clock = manualClock(1_700_000_000_000);
    const memoryClock = manualClock(1_700_000_000_000);
    const backend = new RedisBackend({ client: admin, namespace: 'swl', clock: clock.now, rememberDenials: false });
    const redis = new Throttle({ uid: 'long', rate: '100/s', strategy, backend, onError: 'raise' });
    const memory = new Throttle({ uid: 'long', rate: '100/s', strategy, backend: new InMemoryBackend({ clock: memoryClock.now }), onError: 'raise' });
    const random = seededRandom(7);
    const key = stateKey('swl', 'long', 'user', '100/s');
    let longest = 0;
    let denied = 0;
    for (let i = 0; i < 4000; i++) {
      const advance = Math.floor(random() * 20);
      clock.advance(advance);
      memoryClock.advance(advance);
      const cost = Math.floor(random() * 4);
      const [fromRedis, fromMemory] = [await redis.hit('user', { cost }), await memory.hit('user', { cost })];
      if (JSON.stringify(fromRedis) !== JSON.stringify(fromMemory)) expect({ i, fromRedis }).toEqual({ i, fromRedis: fromMemory });
      if (!fromMemory.allowed) denied++;
      if (i % 50 === 0) longest = Math.max(longest, await admin.strlen(key));
    }
    expect(denied).toBeGreaterThan(100);
    // About 100 live entries of ~17 bytes; cut ones are compacted once they pass 4 kB and outweigh the live ones.
    expect(longest).toBeLessThan(12_000);
    // What the twin left in place, TypeScript reads back (Throttle.stats: MGET and parse) as the in-process state.
    const [fromRedis, fromMemory] = [await redis.stats('user'), await memory.stats('user')];
    expect(fromRedis.rates[0]!.state).toEqual(fromMemory.rates[0]!.state);
    expect(fromRedis.rates[0]!.state!.values.entries).toBeGreaterThan(10);
  });

  it('costs Redis about the same per hit on a log of 1,000 entries as on a log of 10', async () => {
    const backend = new RedisBackend({ client: admin, namespace: 'swlcost', rememberDenials: false, coalesceHits: false });
    const rate = '100000000/hour';
    const throttle = new Throttle({ uid: 'cost', rate, strategy, backend, onError: 'raise' });
    const [seconds] = await admin.time();
    const now = Number(seconds) * 1000;
    const usecPerCall = async (entries: number): Promise<number> => {
      const times = Array.from({ length: entries }, (_, k) => now - entries + k);
      for (let k = 0; k < 100; k++) await admin.set(stateKey('swlcost', 'cost', `user-${k}`, rate), strategy.serialize({ times, costs: times.map(() => 1) }), 'PX', 3_600_000);
      await throttle.hit('user-0'); // the script is loaded
      await admin.config('RESETSTAT');
      for (let round = 0; round < 5; round++) for (let k = 0; k < 100; k++) await throttle.hit(`user-${k}`);
      const line = (await admin.info('commandstats')).split('\r\n').find((l) => l.startsWith('cmdstat_evalsha:'))!;
      return Number(/usec_per_call=([\d.]+)/.exec(line)![1]);
    };
    const short = await usecPerCall(10);
    const long = await usecPerCall(1_000);
    // Rewriting the log would cost ~100x here (15 kB copied in and out per hit); in place, a small constant.
    expect(long / short).toBeLessThan(2);
  });
});
