/**
 * Charges and refunds on Redis: traces mixing hits, charges, refunds and
 * peeks give the same decisions as in-process, for every built-in strategy
 * that supports them, one and two rates, one event per tick and a few per
 * tick (coalesced), on one redis-server and on the 3-master Cluster.
 */
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { Cluster, Redis } from 'ioredis';
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

  it('on the Cluster, every strategy, one and two rates, a few events per tick', async () => {
    await Promise.all(strategies.flatMap(([label, strategy]) => RATE_SETS.map((rates, r) => replayOpsAgainstMemory(clusterClient, namespace, label, strategy, rates, 60 + r, 400, true))));
  });
});
