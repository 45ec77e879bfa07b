/**
 * The conformance kit on RedisBackend over a real 3-master Redis Cluster
 * (a private one, started here): the same checks as on one server.
 */
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { RedisBackend } from '../../src/redis.js';
import { describeBackendConformance } from '../../src/testing/index.js';
import { startRedisCluster, type RedisClusterHandle } from '../harness/redis-cluster.js';

let cluster: RedisClusterHandle;
let client: Cluster;
beforeAll(async () => {
  cluster = await startRedisCluster();
  client = new Cluster([...cluster.nodes]);
});
afterAll(async () => {
  await client?.quit();
  await cluster?.stop();
});

// The client is shared (as several app processes share a cluster); backends given a client leave it open.
// Without the denial cache, as in conformance.test.ts: the kit compares every field of every decision.
describeBackendConformance('RedisBackend on Redis Cluster', ({ clock, namespace }) => {
  const options = { client, namespace, clock, rememberDenials: false };
  return new RedisBackend(options);
}, { describe, it });
