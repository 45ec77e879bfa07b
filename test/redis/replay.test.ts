/**
 * Replay on one redis-server: thousands of random hits (costs 0..L+1, peeks,
 * batches, one and two rates) through InMemoryBackend and RedisBackend with
 * the same injected clock give identical decisions for every built-in
 * strategy: the Lua twins agree with the TypeScript steps bit for bit, in
 * every script form (general driver, single hit with the rate written in,
 * single hit with the rate as arguments), and with the events started a few
 * per tick (hits of one tick coalesced into one script call, mixed with
 * peeks and batches that must not overtake them).
 */
import { afterAll, beforeAll, describe, it, inject } from 'vitest';
import { Redis } from 'ioredis';
import { builtInStrategies } from './support/strategies.js';
import { RATE_SETS, replayAgainstMemory, useUpBakedRates } from './support/replay.js';

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

describe('RedisBackend replays like InMemoryBackend with the rate sent as arguments (more rates than it writes into scripts)', () => {
  for (const [label, strategy] of builtInStrategies()) {
    it(label, async () => {
      await replayAgainstMemory(client, namespace, `${label} (rate as arguments)`, strategy, RATE_SETS[0]!, 3, 1500, (backend) => useUpBakedRates(backend, strategy));
    });
  }
});

describe('RedisBackend replays like InMemoryBackend with events started a few per tick (hits coalesced)', () => {
  for (const [label, strategy] of builtInStrategies()) {
    it(label, async () => {
      await Promise.all([
        ...RATE_SETS.map((rates, r) => replayAgainstMemory(client, namespace, label, strategy, rates, 300 + r, 1500, undefined, true)),
        replayAgainstMemory(client, namespace, `${label} (rate as arguments)`, strategy, RATE_SETS[0]!, 4, 1500, (backend) => useUpBakedRates(backend, strategy), true),
      ]);
    });
  }
});
