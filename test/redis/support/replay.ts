/**
 * The replay check shared by the single-server and cluster tests: random
 * traces through `InMemoryBackend` and a `RedisBackend` on `client`, same
 * injected clock, must give identical decisions, event by event.
 */
import { expect } from 'vitest';
import type { Cluster, Redis } from 'ioredis';
import { InMemoryBackend, Throttle, type AnyStrategy } from '../../../src/index.js';
import { RedisBackend } from '../../../src/redis.js';
import { MAX_BAKED_RATES } from '../../../src/core/backends/redis/baked-scripts.js';
import { generateTrace, manualClock, replayTrace, replayTraceInBursts } from '../../support/traces.js';

/** Rate sets replayed: one rate, and two rates at once (all-or-nothing). */
export const RATE_SETS: readonly (readonly string[])[] = [['5/s'], ['3/400ms', '10/3s']];

/**
 * Makes `backend` write no more rates into its single-hit scripts (one hit
 * on each of `MAX_BAKED_RATES` other rates), so later single hits send the
 * rate as arguments: the other form of the single-hit script.
 */
export async function useUpBakedRates(backend: RedisBackend, strategy: AnyStrategy): Promise<void> {
  for (let k = 0; k < MAX_BAKED_RATES; k++) {
    await new Throttle({ uid: 'filler', rate: `${1000 + k}/hour`, strategy, backend, onError: 'raise' }).hit('filler');
  }
}

/**
 * Replays `length` events of seed `seed` for `strategy` on both backends and
 * asserts equal decisions (after `prepare(redisBackend)`, if given). In
 * `bursts`, Redis gets the events a few per tick (`replayTraceInBursts`:
 * its hits coalesced), the in-process backend one at a time. The Redis
 * backend remembers denials only with `rememberDenials`; resolves with how
 * many hits it answered from memory.
 */
export async function replayAgainstMemory(
  client: Redis | Cluster, namespace: string, label: string, strategy: AnyStrategy, rates: readonly string[], seed: number, length: number,
  prepare?: (backend: RedisBackend) => Promise<void>, bursts = false, rememberDenials = false,
): Promise<number> {
  const maxLimit = Math.max(...rates.map((r) => Number(r.split('/')[0])));
  const trace = generateTrace({ seed, length, maxCost: maxLimit + 1, maxAdvanceMs: 1500, keys: 2 });
  const start = 1_700_000_000_000 + seed * 7919;
  const memoryClock = manualClock(start);
  const redisClock = manualClock(start);
  const uid = `replay:${label}:${rates.join('+')}:${seed}${bursts ? ':bursts' : ''}`;
  const memory = new Throttle({ uid, rate: rates, strategy, backend: new InMemoryBackend({ clock: memoryClock.now }), onError: 'raise' });
  const redisBackend = new RedisBackend({ client, namespace, clock: redisClock.now, rememberDenials });
  if (prepare !== undefined) await prepare(redisBackend);
  const redis = new Throttle({ uid, rate: rates, strategy, backend: redisBackend, onError: 'raise' });
  const expected = await replayTrace(trace, memory, memoryClock);
  const actual = bursts ? await replayTraceInBursts(trace, redis, redisClock, seed) : await replayTrace(trace, redis, redisClock);
  for (let i = 0; i < trace.length; i++) {
    // A remembered denial reports the remaining of the moment it was denied (SEMANTICS "Remembering denials"):
    // units that left the window since, or that this process's other hits took, are not seen. Every other number must match.
    if (rememberDenials) {
      actual[i]!.forEach((d, j) => {
        const e = expected[i]![j]!;
        // (and so which rate binds the merged decision: its limit follows).
        if (!d.allowed && !e.allowed) [d.remaining, d.limit] = [e.remaining, e.limit];
        (d.policies ?? []).forEach((p, k) => {
          const q = e.policies?.[k];
          // Every rate of a denied hit: an allowed rate's view (its cost-0 step) is also the one of the denial.
          if (q !== undefined && !d.allowed && !e.allowed) p.remaining = q.remaining;
        });
      });
    }
    if (JSON.stringify(actual[i]) !== JSON.stringify(expected[i])) {
      expect({ event: i, ...trace[i], decisions: actual[i] }).toEqual({ event: i, ...trace[i], decisions: expected[i] });
    }
  }
  const allowed = expected.flat().filter((d) => d.allowed && d.cost > 0).length;
  const denied = expected.flat().filter((d) => !d.allowed).length;
  // The trace must exercise both answers, or the comparison proves little.
  expect(allowed).toBeGreaterThan(length / 10);
  expect(denied).toBeGreaterThan(length / 20);
  return redisBackend.denials?.answered ?? 0;
}
