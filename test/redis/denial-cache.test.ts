/**
 * DenialCache on its own (no store): what it answers, for how long, and
 * what makes it forget. The Redis-backed proofs (equal to the store, zero
 * commands in a flood) are in denial-cache-redis.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { DenialCache } from '../../src/core/backends/denial-cache.js';
import type { StepDecision } from '../../src/core/decision.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { FixedWindowStrategy } from '../../src/core/strategies/fixed-window.js';

const holding = Object.assign(new FixedWindowStrategy(), { denialsHoldUntilRetry: true });
const notHolding = Object.assign(new FixedWindowStrategy(), { denialsHoldUntilRetry: false });
const denied: StepDecision = { allowed: false, limit: 5, remaining: 0, retryAfterMs: 1000, resetAfterMs: 1000, delayMs: 0 };
const allowedRate: StepDecision = { allowed: true, limit: 50, remaining: 3, retryAfterMs: 0, resetAfterMs: 4000, delayMs: 0 };

function clockAt(start: number): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

const hit = { strategy: holding, scope: 's1', keys: ['s1k'], cost: 1 };

describe('DenialCache', () => {
  it('answers a remembered denial with the retry time counted down, until it runs out', () => {
    const clock = clockAt(100);
    const cache = new DenialCache({ now: clock.now });
    expect(cache.answer(hit)).toBeUndefined();
    cache.remember(hit, clock.now(), [denied]);
    clock.advance(400);
    expect(cache.answer(hit)).toEqual([{ ...denied, retryAfterMs: 600, resetAfterMs: 600 }]);
    clock.advance(599);
    expect(cache.answer(hit)?.[0]?.retryAfterMs).toBe(1);
    clock.advance(1);
    expect(cache.answer(hit)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps the smallest retry of the denying rates; allowed rates keep their numbers', () => {
    const clock = clockAt(0);
    const cache = new DenialCache({ now: clock.now });
    const two = { ...hit, keys: ['s1a', 's1b'] };
    cache.remember(two, 0, [denied, allowedRate]);
    clock.advance(10);
    expect(cache.answer(two)).toEqual([{ ...denied, retryAfterMs: 990, resetAfterMs: 990 }, { ...allowedRate, resetAfterMs: 3990 }]);
    clock.advance(990);
    expect(cache.answer(two)).toBeUndefined();
  });

  it('answers only the same cost, args and op; never remembers allowed hits or strategies that do not declare it', () => {
    const cache = new DenialCache({ now: () => 0 });
    cache.remember(hit, 0, [denied]);
    expect(cache.answer({ ...hit, cost: 2 })).toBeUndefined();
    expect(cache.answer({ ...hit, args: [1] })).toBeUndefined();
    expect(cache.answer({ ...hit, op: 'charge' })).toBeUndefined();
    expect(cache.answer(hit)).toBeDefined();
    cache.remember({ ...hit, scope: 's2', keys: ['s2k'], strategy: notHolding }, 0, [denied]);
    cache.remember({ ...hit, scope: 's3', keys: ['s3k'] }, 0, [allowedRate]);
    cache.remember({ ...hit, scope: 's4', keys: ['s4k'], op: 'refund' }, 0, [denied]);
    expect(cache.size).toBe(1);
  });

  it('forgets a scope on forget, and skips a denial sent before a forget', () => {
    const clock = clockAt(0);
    const cache = new DenialCache({ now: clock.now });
    cache.remember(hit, 0, [denied]);
    clock.advance(5);
    cache.forget('s1');
    expect(cache.answer(hit)).toBeUndefined();
    // The reply of a hit sent before the reset arrives after it: stale, not kept.
    cache.remember(hit, 3, [denied]);
    expect(cache.answer(hit)).toBeUndefined();
    cache.remember(hit, 6, [denied]);
    expect(cache.answer(hit)).toBeDefined();
  });

  it('stays within maxEntries, forgetting the oldest scopes first', () => {
    const cache = new DenialCache({ now: () => 0, maxEntries: 3 });
    for (let i = 0; i < 5; i++) cache.remember({ ...hit, scope: `s${i}`, keys: [`s${i}k`] }, 0, [denied]);
    expect(cache.size).toBe(3);
    expect(cache.answer({ ...hit, scope: 's0', keys: ['s0k'] })).toBeUndefined();
    expect(cache.answer({ ...hit, scope: 's4', keys: ['s4k'] })).toBeDefined();
  });

  it('refuses a bad maxEntries at construction', () => {
    expect(() => new DenialCache({ maxEntries: 0 })).toThrow(ConfigurationError);
  });
});
