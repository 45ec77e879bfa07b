/**
 * Charges and refunds on Redis: traces mixing hits, charges, refunds and
 * peeks give the same decisions as in-process, for every built-in strategy
 * that supports them, one and two rates, one event per tick and a few per
 * tick (coalesced), on one redis-server and on the 3-master Cluster.
 */
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import { InMemoryBackend, type AnyStrategy } from '../../src/index.js';
import { RedisBackend } from '../../src/redis.js';
import { generateOpTrace, manualClock, replayTraceOnBackend } from '../support/traces.js';
import { startRedisCluster, type RedisClusterHandle } from '../harness/redis-cluster.js';
import { replayOpsAgainstMemory } from './support/op-replay.js';
import { RATE_SETS } from './support/replay.js';
import { builtInStrategies } from './support/strategies.js';

const namespace = `opreplay${process.pid}`;
const strategies = builtInStrategies().filter(([, strategy]) => strategy.supportsChargeAndRefund === true);

let client: Redis;
let cluster: RedisClusterHandle;
let clusterClient: Cluster;
beforeAll(async () => {
  client = new Redis(inject('redisUrl'));
  cluster = await startRedisCluster();
  clusterClient = new Cluster([...cluster.nodes]);
});
afterAll(async () => {
  await client?.quit();
  await clusterClient?.quit();
  await cluster?.stop();
});

describe('RedisBackend replays charges and refunds like InMemoryBackend', () => {
  it('covers every built-in strategy', () => {
    expect(strategies.length).toBe(builtInStrategies().length);
  });

  for (const [label, strategy] of strategies) {
    it(`${label}: one redis-server, one and two rates, one and a few events per tick`, async () => {
      const ops = await Promise.all(RATE_SETS.flatMap((rates, r) => [false, true].map((bursts) => replayOpsAgainstMemory(client, namespace, label, strategy, rates, 40 + r, 800, bursts))));
      expect(Math.min(...ops)).toBeGreaterThan(100);
    });
  }

  it('the shared op traces (hits, peeks, batches, charges up to twice the limit, refunds), every strategy, server and Cluster, denials remembered', async () => {
    const replay = async (redisClient: Redis | Cluster, label: string, strategy: AnyStrategy, rates: readonly string[], seed: number) => {
      const trace = generateOpTrace({ seed, length: 600, maxCost: Math.max(...rates.map((r) => Number(r.split('/')[0]))) + 1, maxAdvanceMs: 1500 });
      const uid = `shared-ops:${label}:${rates.join('+')}:${seed}:${redisClient === client ? 'server' : 'cluster'}`;
      const memoryClock = manualClock(1_700_000_000_000);
      const expected = await replayTraceOnBackend(trace, new InMemoryBackend({ clock: memoryClock.now }), strategy, rates, memoryClock, uid);
      const clock = manualClock(1_700_000_000_000);
      const redis = new RedisBackend({ client: redisClient, namespace, clock: clock.now });
      const actual = await replayTraceOnBackend(trace, redis, strategy, rates, clock, uid);
      await redis.close();
      for (let i = 0; i < trace.length; i++) {
        // A remembered denial reports each rate's remaining of the moment it was denied (docs/redis.md): every other number must match.
        actual[i]!.forEach((row, j) => {
          const denied = row.some((d) => !d.allowed) && expected[i]![j]!.some((d) => !d.allowed);
          if (denied) row.forEach((d, k) => (d.remaining = expected[i]![j]![k]!.remaining));
        });
        if (JSON.stringify(actual[i]) !== JSON.stringify(expected[i])) expect({ i, ...trace[i], actual: actual[i] }).toEqual({ i, ...trace[i], actual: expected[i] });
      }
    };
    await Promise.all(strategies.flatMap(([label, strategy]) => RATE_SETS.flatMap((rates, r) => [replay(client, label, strategy, rates, 80 + r), replay(clusterClient, label, strategy, rates, 90 + r)])));
  });

  it('on the Cluster, every strategy, one and two rates, a few events per tick', async () => {
    await Promise.all(strategies.flatMap(([label, strategy]) => RATE_SETS.map((rates, r) => replayOpsAgainstMemory(clusterClient, namespace, label, strategy, rates, 60 + r, 400, true))));
  });
});
