/**
 * DenialCache on its own (no store): what it answers, for how long, and
 * what makes it forget, with requests in flight together. The Redis-backed
 * proofs (equal to the store, zero commands in a flood) are in
 * denial-cache-redis.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { DenialCache, type RememberableHit } from '../../src/core/backends/denial-cache.js';
import type { StepDecision } from '../../src/core/decision.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { FixedWindowStrategy } from '../../src/core/strategies/fixed-window.js';

const holding = Object.assign(new FixedWindowStrategy(), { denialsHoldUntilRetry: true });
const notHolding = Object.assign(new FixedWindowStrategy(), { denialsHoldUntilRetry: false });
const denied: StepDecision = { allowed: false, limit: 5, remaining: 0, retryAfterMs: 1000, resetAfterMs: 1000, delayMs: 0 };
const allowed: StepDecision = { allowed: true, limit: 50, remaining: 3, retryAfterMs: 0, resetAfterMs: 4000, delayMs: 0 };

function clockAt(start: number): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

const hit: RememberableHit = { strategy: holding, scope: 's1', keys: ['s1k'], cost: 1 };

/** Sends `h` and settles it at once with `decisions`. */
function roundTrip(cache: DenialCache, h: RememberableHit, decisions: StepDecision[]): void {
  cache.settle(h, cache.send(h, 'hit'), decisions);
}

describe('DenialCache', () => {
  it('answers a remembered denial with the retry time counted down, until it runs out', () => {
    const clock = clockAt(100);
    const cache = new DenialCache({ now: clock.now });
    expect(cache.answer(hit)).toBeUndefined();
    roundTrip(cache, hit, [denied]);
    clock.advance(400);
    expect(cache.answer(hit)).toEqual([{ ...denied, retryAfterMs: 600, resetAfterMs: 600 }]);
    clock.advance(599);
    expect(cache.answer(hit)?.[0]?.retryAfterMs).toBe(1);
    clock.advance(1);
    expect(cache.answer(hit)).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.answered).toBe(2);
  });

  it('keeps the smallest retry of the denying rates; allowed rates keep their numbers', () => {
    const clock = clockAt(0);
    const cache = new DenialCache({ now: clock.now });
    const two = { ...hit, keys: ['s1a', 's1b'] };
    roundTrip(cache, two, [denied, allowed]);
    clock.advance(10);
    expect(cache.answer(two)).toEqual([{ ...denied, retryAfterMs: 990, resetAfterMs: 990 }, { ...allowed, resetAfterMs: 3990 }]);
    clock.advance(990);
    expect(cache.answer(two)).toBeUndefined();
  });

  it('does not keep a denial for ever (cost above the limit): a limit that moves could change it', () => {
    const cache = new DenialCache({ now: () => 0 });
    roundTrip(cache, hit, [{ ...denied, retryAfterMs: Infinity }]);
    expect(cache.answer(hit)).toBeUndefined();
  });

  it('answers only the same cost, args and op; never remembers allowed hits, charges, or strategies that do not declare it', () => {
    const cache = new DenialCache({ now: () => 0 });
    roundTrip(cache, hit, [denied]);
    expect(cache.answer({ ...hit, cost: 2 })).toBeUndefined();
    expect(cache.answer({ ...hit, args: [1] })).toBeUndefined();
    expect(cache.answer({ ...hit, op: 'charge' })).toBeUndefined();
    expect(cache.answer(hit)).toBeDefined();
    roundTrip(cache, { ...hit, scope: 's2', keys: ['s2k'], strategy: notHolding }, [denied]);
    roundTrip(cache, { ...hit, scope: 's3', keys: ['s3k'] }, [allowed]);
    roundTrip(cache, { ...hit, scope: 's4', keys: ['s4k'], op: 'refund' }, [denied]);
    expect(cache.size).toBe(1);
  });

  it('forgets a scope on forget and on a charge, refund or batch sent; keeps no denial sent before one', () => {
    const cache = new DenialCache({ now: () => 0 });
    roundTrip(cache, hit, [denied]);
    cache.forget('s1');
    expect(cache.answer(hit)).toBeUndefined();
    roundTrip(cache, hit, [denied]);
    const early = cache.send(hit, 'hit');
    const refund = cache.send({ ...hit, op: 'refund' }, 'change');
    expect(cache.answer(hit)).toBeUndefined();
    // The denial of a hit sent before the refund arrives after it: stale, not kept.
    cache.settle(hit, early, [denied]);
    cache.settle(hit, refund, undefined);
    expect(cache.answer(hit)).toBeUndefined();
    roundTrip(cache, hit, [denied]);
    expect(cache.answer(hit)).toBeDefined();
  });

  it('asks the store while a hit that may change the scope is in flight, and forgets older denials once it was allowed', () => {
    const cache = new DenialCache({ now: () => 0 });
    roundTrip(cache, hit, [denied]);
    // A hit of the denied cost is covered (it will be denied): it blocks nothing.
    const covered = cache.send(hit, 'hit');
    expect(cache.answer(hit)).toBeDefined();
    const other = { ...hit, cost: 0 };
    const changing = cache.send(other, 'hit');
    expect(cache.answer(hit)).toBeUndefined();
    cache.settle(hit, covered, [denied]);
    cache.settle(other, changing, [allowed]);
    // Allowed after the denial was sent: the denial may be stale.
    expect(cache.answer(hit)).toBeUndefined();
    // A failed hit may have been applied: the same.
    roundTrip(cache, hit, [denied]);
    cache.settle(other, cache.send(other, 'hit'), undefined);
    expect(cache.answer(hit)).toBeUndefined();
  });

  it('tracks at most maxEntries scopes, dropping the oldest first, and keeps no denial in flight across a drop', () => {
    const cache = new DenialCache({ now: () => 0, maxEntries: 3 });
    for (let i = 0; i < 5; i++) roundTrip(cache, { ...hit, scope: `s${i}`, keys: [`s${i}k`] }, [denied]);
    expect(cache.size).toBe(3);
    expect(cache.answer({ ...hit, scope: 's0', keys: ['s0k'] })).toBeUndefined();
    expect(cache.answer({ ...hit, scope: 's4', keys: ['s4k'] })).toBeDefined();
    const inFlight = cache.send({ ...hit, scope: 'x', keys: ['xk'] }, 'hit');
    for (let i = 5; i < 9; i++) roundTrip(cache, { ...hit, scope: `s${i}`, keys: [`s${i}k`] }, [denied]);
    cache.settle({ ...hit, scope: 'x', keys: ['xk'] }, inFlight, [denied]);
    expect(cache.answer({ ...hit, scope: 'x', keys: ['xk'] })).toBeUndefined();
  });

  it('refuses a bad maxEntries at construction', () => {
    expect(() => new DenialCache({ maxEntries: 0 })).toThrow(ConfigurationError);
  });
});
