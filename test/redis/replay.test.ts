/**
 * Replay on one redis-server: thousands of random hits (costs 0..L+1, peeks,
 * batches, one and two rates) through InMemoryBackend and RedisBackend with
 * the same injected clock give identical decisions for every built-in
 * strategy: the Lua twins agree with the TypeScript steps bit for bit.
 */
import { afterAll, beforeAll, describe, it, inject } from 'vitest';
import { Redis } from 'ioredis';
import { builtInStrategies } from './support/strategies.js';
import { RATE_SETS, replayAgainstMemory } from './support/replay.js';

let client: Redis;
const namespace = `replay${process.pid}`;
beforeAll(() => {
  client = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  await client.quit();
});

describe('RedisBackend replays like InMemoryBackend', () => {
  for (const [label, strategy] of builtInStrategies()) {
    it(label, async () => {
      await Promise.all(RATE_SETS.flatMap((rates, r) => [1, 2].map((s) => replayAgainstMemory(client, namespace, label, strategy, rates, 100 * r + s, 1500))));
    });
  }
});
