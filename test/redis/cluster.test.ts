/**
 * On a real 3-master Redis Cluster (started by the harness): the replay and
 * exactness checks pass there too; every key of one identity lands in one
 * slot (multi-rate hits and batches work, no CROSSSLOT), hostile identities
 * cannot move the hash tag, and different identities spread over the slots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from 'ioredis';
import { scopeKey } from '../../src/extend.js';
import { Throttle, TokenBucketStrategy } from '../../src/index.js';
import { redisKeys, scopeSlot } from '../../src/core/backends/redis/keys.js';
import { RedisBackend } from '../../src/redis.js';
import { startRedisCluster, type RedisClusterHandle } from '../harness/redis-cluster.js';
import { expectExactlyOneHundred } from './support/exactness.js';
import { RATE_SETS, replayAgainstMemory } from './support/replay.js';
import { builtInStrategies } from './support/strategies.js';

let cluster: RedisClusterHandle;
let client: Cluster;
const namespace = `cluster${process.pid}`;

beforeAll(async () => {
  cluster = await startRedisCluster();
  client = new Cluster([...cluster.nodes]);
});
afterAll(async () => {
  await client?.quit();
  await cluster?.stop();
});

describe('RedisBackend on Redis Cluster', () => {
  it('replays like InMemoryBackend, every strategy, one and two rates', async () => {
    await Promise.all(builtInStrategies().flatMap(([label, strategy]) =>
      RATE_SETS.map((rates, r) => replayAgainstMemory(client, namespace, label, strategy, rates, 500 + r, 500))));
  });

  it('replays like InMemoryBackend with events started a few per tick: hits coalesced per slot, every strategy', async () => {
    await Promise.all(builtInStrategies().map(([label, strategy]) => replayAgainstMemory(client, namespace, label, strategy, RATE_SETS[0]!, 700, 500, undefined, true)));
  });

  it('coalesces one tick of hits on many identities into calls per slot (scopeSlot agrees with CLUSTER KEYSLOT)', async () => {
    const ns = `${namespace}tick`;
    const throttle = new Throttle({ uid: 'tick', rate: '3/hour', backend: new RedisBackend({ client, namespace: ns }), onError: 'raise' });
    const identities = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    const decisions = await Promise.all(identities.flatMap((id) => [1, 2, 3, 4].map(() => throttle.hit(id))));
    expect(decisions.map((d) => d.allowed)).toEqual(identities.flatMap(() => [true, true, true, false]));
    const node = client.nodes('master')[0]!;
    for (const id of identities.slice(0, 10)) {
      const scope = scopeKey('tick', id);
      expect(scopeSlot(scope)).toBe(Number(await node.cluster('KEYSLOT', redisKeys(ns, scope, ['x'])[0]!)));
    }
  });

  it('4 processes x 250 concurrent hits, 100/minute: exactly 100 allowed, every strategy', async () => {
    await expectExactlyOneHundred({ cluster: [...cluster.nodes] }, `${namespace}x`);
  });

  it('keeps each identity in one slot and spreads identities over the masters', async () => {
    const ns = `${namespace}slots`;
    // Long periods: no key may expire while the test looks at them, however slow the machine.
    const throttle = new Throttle({ uid: 'slots', rate: ['5/hour', '50/day', '500/day'], strategy: new TokenBucketStrategy(), backend: new RedisBackend({ client, namespace: ns }), onError: 'raise' });
    const identities = Array.from({ length: 60 }, (_, i) => `id-${String(i).padStart(3, '0')}`);
    for (const id of identities) {
      expect((await throttle.hit(id)).allowed).toBe(true);
      expect((await throttle.hitMany(id, [1, 1])).map((d) => d.allowed)).toEqual([true, true]);
    }
    const keys = (await Promise.all(client.nodes('master').map((node) => node.keys(`${ns}:*`)))).flat();
    expect(keys).toHaveLength(identities.length * 3);
    const slotOf = new Map<string, Set<number>>();
    const nodesUsed = new Set<string>();
    for (const node of client.nodes('master')) {
      for (const key of await node.keys(`${ns}:*`)) {
        const id = /id-\d{3}/.exec(key)![0];
        const slot = Number(await node.cluster('KEYSLOT', key));
        slotOf.set(id, (slotOf.get(id) ?? new Set()).add(slot));
        nodesUsed.add(`${node.options.port}`);
      }
    }
    for (const id of identities) expect(slotOf.get(id)?.size).toBe(1);
    expect(new Set([...slotOf.values()].map((s) => [...s][0])).size).toBeGreaterThan(50);
    expect(nodesUsed.size).toBe(3);
  });

  it('hostile identities neither break the tag nor collide', async () => {
    const throttle = new Throttle({ uid: 'hostile', rate: ['2/min', '10/hour'], backend: new RedisBackend({ client, namespace: `${namespace}h` }), onError: 'raise' });
    const identities = ['a{b}c', '{', '}', '}{', 'line\nbreak', '{x}', '{x}:y', `big${'{}'.repeat(5000)}`, ''.padEnd(10_000, 'z'), 'a', 'a}'];
    for (const id of identities) {
      expect((await throttle.hitMany(id, [1, 1, 1])).map((d) => d.allowed)).toEqual([true, true, false]);
    }
    // reset deletes every rate's key in one call (one slot), and only that identity's.
    await throttle.reset('{x}');
    expect((await throttle.hit('{x}')).allowed).toBe(true);
    expect((await throttle.hit('{x}:y')).allowed).toBe(false);
  });
});
