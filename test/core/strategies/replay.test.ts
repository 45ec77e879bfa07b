/**
 * The same seeded random traces (hits, peeks, batches; costs 0..L+2; per-hit
 * args: priorities, tiers, signals, lease acquires and releases) through the
 * in-process backend, RedisBackend and MemcachedBackend with one injected
 * clock each: every decision must be identical, for each new strategy, with
 * one rate and with two rates (all-or-nothing).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Backend } from '../../../src/core/backends/backend.js';
import { InMemoryBackend } from '../../../src/core/backends/in-memory.js';
import type { StepDecision } from '../../../src/core/decision.js';
import { scopeKey, stateSuffix } from '../../../src/core/keys.js';
import { Rate } from '../../../src/core/rate.js';
import { redisKeys } from '../../../src/core/backends/redis/keys.js';
import { BackendError } from '../../../src/core/errors.js';
import { ConcurrencyLimitStrategy } from '../../../src/core/strategies/concurrency-limit.js';
import { MemcachedBackend } from '../../../src/memcached.js';
import { RedisBackend } from '../../../src/redis.js';
import { seededRandom } from '../../support/traces.js';
import { strategiesWithArgs, type StrategyCase } from './strategies.js';

let client: Redis;
const opened: Backend[] = [];
beforeAll(() => {
  client = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  await Promise.all(opened.map((b) => b.close()));
  await client.quit();
});

interface Event {
  advanceMs: number;
  identity: string;
  kind: 'hit' | 'peek' | 'batch';
  costs: number[];
  pick: number;
}

function trace(seed: number, length: number, maxCost: number, periodMs: number): Event[] {
  const random = seededRandom(seed);
  const int = (max: number) => Math.floor(random() * (max + 1));
  return Array.from({ length }, () => {
    const r = random();
    const advanceMs = r < 0.35 ? 0 : r < 0.85 ? int(Math.max(1, Math.floor(periodMs / 10))) : int(2 * periodMs);
    const k = random();
    const kind = k < 0.1 ? 'batch' : k < 0.2 ? 'peek' : 'hit';
    const costs = Array.from({ length: kind === 'batch' ? 1 + int(3) : 1 }, () => int(maxCost));
    return { advanceMs, identity: `id${int(1)}`, kind, costs, pick: int(1_000_000) };
  });
}

async function send(backend: Backend, c: StrategyCase, rates: readonly Rate[], e: Event, uid: string): Promise<StepDecision[][]> {
  const scope = scopeKey(uid, e.identity);
  const base = { strategy: c.strategy, scope, keys: rates.map((r) => scope + stateSuffix(c.strategy.name, r)), rates, args: c.args(e.pick) };
  if (e.kind === 'batch') return backend.applyBatch({ ...base, costs: e.costs });
  return [await backend.apply({ ...base, cost: e.costs[0]!, dryRun: e.kind === 'peek' })];
}

async function replay(c: StrategyCase, rateTexts: readonly string[], seed: number, length: number): Promise<void> {
  const rates = rateTexts.map((r) => Rate.parse(r));
  let now = c.start ?? 1_700_000_000_000 + seed;
  const clock = () => now;
  const uid = `x9:${seed}:${process.pid}`;
  const memory = new InMemoryBackend({ clock });
  const redis = new RedisBackend({ client, namespace: `x9r${process.pid}`, clock, rememberDenials: false });
  const memcached = new MemcachedBackend({ servers: inject('memcachedServers'), namespace: `x9m${process.pid}`, clock });
  opened.push(redis, memcached);
  const maxLimit = Math.max(...rates.map((r) => r.limit));
  let allowed = 0;
  let denied = 0;
  for (const [index, e] of trace(seed, length, maxLimit + 2, rates[0]!.periodMs).entries()) {
    now += e.advanceMs;
    const expected = await send(memory, c, rates, e, uid);
    const [fromRedis, fromMemcached] = await Promise.all([send(redis, c, rates, e, uid), send(memcached, c, rates, e, uid)]);
    if (JSON.stringify(fromRedis) !== JSON.stringify(expected) || JSON.stringify(fromMemcached) !== JSON.stringify(expected)) {
      expect({ index, e, redis: fromRedis, memcached: fromMemcached }).toEqual({ index, e, redis: expected, memcached: expected });
    }
    for (const hit of expected) {
      if (hit.every((d) => d.allowed)) allowed++;
      else denied++;
    }
  }
  // The trace must exercise both answers, or the comparison proves little.
  expect(allowed).toBeGreaterThan(length / 10);
  expect(denied).toBeGreaterThan(length / 20);
  // What the Lua twin wrote, TypeScript reads back to the same text.
  let read = 0;
  for (const identity of ['id0', 'id1']) {
    const scope = scopeKey(uid, identity);
    for (const key of redisKeys(`x9r${process.pid}`, scope, rates.map((r) => scope + stateSuffix(c.strategy.name, r)))) {
      const text = await client.get(key);
      if (text === null) continue;
      read++;
      expect(c.strategy.serialize(c.strategy.parse(text))).toBe(text);
    }
  }
  expect(read).toBeGreaterThan(0);
}

describe('the strategies with per-hit args decide alike on InMemoryBackend, RedisBackend and MemcachedBackend', () => {
  for (const c of strategiesWithArgs()) {
    it(c.label, async () => {
      // Redis runs the Lua twin (one script per hit), not the compare-and-set fallback.
      expect(c.strategy.lua).toBeDefined();
      const [limit, period] = c.rate.split('/') as [string, string];
      await replay(c, [c.rate], 9001 + c.label.length, 300);
      await replay(c, [c.rate, `${Number(limit) * 2}/${period === 's' ? '3s' : `3${period.replace(/^\d+/, '')}`}`], 9101 + c.label.length, 300);
    });
  }
});

describe('the concurrency limit Lua twin reads what TypeScript writes', () => {
  it('decides from a TypeScript-serialized lease list as the step does, and rejects garbage', async () => {
    const strategy = new ConcurrencyLimitStrategy({ leaseMs: 1000 });
    const rates = [Rate.parse('3/s')];
    const now = 1_700_000_000_000;
    const state = { leases: [{ id: 'a', expiresAt: now + 100, units: 1 }, { id: '', expiresAt: now + 400, units: 1 }, { id: 'b-2_x', expiresAt: now + 900, units: 1 }] };
    const backend = new RedisBackend({ client, namespace: `x9c${process.pid}`, clock: () => now });
    opened.push(backend);
    const scope = scopeKey('lease', 'k');
    const keys = rates.map((r) => scope + stateSuffix(strategy.name, r));
    const [redisKey] = redisKeys(`x9c${process.pid}`, scope, keys);
    await client.set(redisKey!, strategy.serialize(state));
    const request = { strategy, scope, keys, rates, cost: 1, args: ['acquire', 'c'] };
    expect(await backend.apply(request)).toEqual([strategy.step(state, now, 1, rates[0]!, ['acquire', 'c']).decision]);
    await client.set(redisKey!, strategy.serialize(state));
    expect(await backend.apply({ ...request, cost: 0, args: ['release', 'b-2_x'] })).toEqual([strategy.step(state, now, 0, rates[0]!, ['release', 'b-2_x']).decision]);
    expect(strategy.parse((await client.get(redisKey!))!)).toEqual({ leases: state.leases.slice(0, 2) });
    for (const garbage of ['c1|x', 'c1|1,0,a', 'c2', '1,2']) {
      await client.set(redisKey!, garbage);
      await expect(backend.apply(request)).rejects.toThrow(BackendError);
    }
  });
});
