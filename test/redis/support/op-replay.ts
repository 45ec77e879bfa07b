/**
 * Replays of traces that mix hits, charges, refunds and peeks, sent to the
 * backends directly (`Backend.apply` with `op`): `InMemoryBackend` and a
 * `RedisBackend` with the same injected clock must give the same per-rate
 * decisions, event by event, whichever Redis route an event takes (the
 * coalesced many-hits script for one rate, the general driver for two rates
 * and for peeks).
 */
import { expect } from 'vitest';
import type { Cluster, Redis } from 'ioredis';
import { InMemoryBackend, Rate, type AnyStrategy } from '../../../src/index.js';
import { scopeKey, stateSuffix } from '../../../src/extend.js';
import type { ApplyRequest, Backend } from '../../../src/core/backends/backend.js';
import type { StepDecision } from '../../../src/core/decision.js';
import type { StepOp } from '../../../src/core/strategies/strategy.js';
import { RedisBackend } from '../../../src/redis.js';
import { manualClock, seededRandom } from '../../support/traces.js';

/** One event: the clock moves, then one op of one cost on one identity (or a peek: a dry-run hit). */
interface OpEvent {
  readonly advanceMs: number;
  readonly op: StepOp | 'peek';
  readonly cost: number;
  readonly identity: string;
}

function opTrace(seed: number, length: number, maxCost: number): OpEvent[] {
  const random = seededRandom(seed);
  const int = (max: number) => Math.floor(random() * (max + 1));
  return Array.from({ length }, () => {
    const r = random();
    const advanceMs = r < 0.3 ? 0 : r < 0.85 ? int(60) : int(1500);
    const pick = random();
    const op: OpEvent['op'] = pick < 0.6 ? 'hit' : pick < 0.75 ? 'charge' : pick < 0.9 ? 'refund' : 'peek';
    return { advanceMs, op, cost: int(maxCost), identity: `user-${int(1)}` };
  });
}

function request(strategy: AnyStrategy, uid: string, rates: readonly Rate[], event: OpEvent): ApplyRequest {
  const scope = scopeKey(uid, event.identity);
  return {
    strategy, scope, rates, cost: event.cost,
    keys: rates.map((rate) => scope + stateSuffix(strategy.name, rate)),
    ...(event.op === 'peek' ? { dryRun: true } : { op: event.op }),
  };
}

/**
 * Replays `length` events of seed `seed` on both backends and asserts equal
 * decisions. With `bursts`, Redis gets up to 8 events per tick (its single
 * hits, charges and refunds coalesced). Resolves with the number of
 * charges and refunds replayed.
 */
export async function replayOpsAgainstMemory(
  client: Redis | Cluster, namespace: string, label: string, strategy: AnyStrategy, rateTexts: readonly string[], seed: number, length: number, bursts = false,
): Promise<number> {
  const rates = rateTexts.map((text) => Rate.parse(text));
  const maxLimit = Math.max(...rates.map((r) => r.limit));
  const trace = opTrace(seed, length, maxLimit + 1);
  const start = 1_700_000_000_000 + seed * 7919;
  const memoryClock = manualClock(start);
  const redisClock = manualClock(start);
  const uid = `ops:${label}:${rateTexts.join('+')}:${seed}${bursts ? ':bursts' : ''}`;
  const memory: Backend = new InMemoryBackend({ clock: memoryClock.now });
  const redis = new RedisBackend({ client, namespace, clock: redisClock.now, rememberDenials: false });
  const expected: StepDecision[][] = [];
  for (const event of trace) {
    memoryClock.advance(event.advanceMs);
    expected.push(await memory.apply(request(strategy, uid, rates, event)));
  }
  const actual: StepDecision[][] = [];
  const random = seededRandom(seed ^ 0x2545f491);
  for (let at = 0; at < trace.length; ) {
    const end = bursts ? Math.min(trace.length, at + 1 + Math.floor(random() * 8)) : at + 1;
    const burst: Promise<StepDecision[]>[] = [];
    for (; at < end; at++) {
      redisClock.advance(trace[at]!.advanceMs);
      burst.push(redis.apply(request(strategy, uid, rates, trace[at]!)));
    }
    actual.push(...(await Promise.all(burst)));
  }
  for (let i = 0; i < trace.length; i++) {
    if (JSON.stringify(actual[i]) !== JSON.stringify(expected[i])) {
      expect({ uid, event: i, ...trace[i], decisions: actual[i] }).toEqual({ uid, event: i, ...trace[i], decisions: expected[i] });
    }
  }
  await redis.close();
  // The trace must hold denials, and charges and refunds that changed something.
  expect(expected.filter((row) => row.some((d) => !d.allowed)).length).toBeGreaterThan(length / 20);
  return trace.filter((e) => e.op === 'charge' || e.op === 'refund').length;
}
