/**
 * `Strategy.describe` for the eight built-in strategies: each state in the
 * words its algorithm uses (count, estimate, log, tokens, level, queue, tat),
 * computed at `now` exactly as the step would see it. Pure; changes nothing.
 */
import type { Rate } from '../rate.js';
import { drainBacklog, type BacklogState } from './backlog.js';
import type { FixedWindowState } from './fixed-window.js';
import { ceilDiv, floorDiv } from './integer-math.js';
import { windowCounts, type SlidingWindowCounterState } from './sliding-window-counter.js';
import type { SlidingWindowLogState } from './sliding-window-log.js';
import type { StateDescription } from './strategy.js';

/** A number for a sentence: whole numbers as they are, others to 3 decimals. */
function words(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

/** Fixed window: units counted in the current window and when it ends. */
export function describeFixedWindow(state: FixedWindowState | undefined, now: number, rate: Rate): StateDescription {
  const L = rate.limit;
  const P = rate.periodMs;
  const w = floorDiv(now, P);
  const count = state !== undefined && state.w === w ? state.n : 0;
  const windowEndsInMs = (w + 1) * P - now;
  return {
    summary: `${count} of ${L} used in this window (${L - count} left); the window ends in ${windowEndsInMs} ms`,
    values: { count, limit: L, remaining: L - count, windowEndsInMs },
  };
}

/** Sliding window counter: the previous and current window's counts and the weighted estimate. */
export function describeSlidingWindowCounter(state: SlidingWindowCounterState | undefined, now: number, rate: Rate): StateDescription {
  const L = rate.limit;
  const P = rate.periodMs;
  const w = floorDiv(now, P);
  const e = now - w * P;
  const { prev: previous, cur: current } = windowCounts(state, w);
  const estimate = (previous * (P - e) + current * P) / P;
  return {
    summary: `about ${words(estimate)} of ${L} used in the last ${P} ms (previous window ${previous}, current window ${current}); the window ends in ${(w + 1) * P - now} ms`,
    values: { estimate, previous, current, limit: L, windowEndsInMs: (w + 1) * P - now },
  };
}

/** Sliding window log: the entries still inside the window and when the oldest leaves it. */
export function describeSlidingWindowLog(state: SlidingWindowLogState | undefined, now: number, rate: Rate): StateDescription {
  const L = rate.limit;
  const P = rate.periodMs;
  let used = 0;
  let entries = 0;
  let oldest: number | undefined;
  if (state !== undefined) {
    for (let i = 0; i < state.times.length; i++) {
      const t = state.times[i]!;
      if (t > now - P) {
        used += state.costs[i]!;
        entries++;
        oldest ??= t;
      }
    }
  }
  const oldestLeavesInMs = oldest === undefined ? 0 : oldest + P - now;
  return {
    summary: entries === 0
      ? `0 of ${L} used in the last ${P} ms (log empty)`
      : `${used} of ${L} used in the last ${P} ms (${entries} log entries); the oldest leaves the window in ${oldestLeavesInMs} ms`,
    values: { used, limit: L, remaining: L - used, entries, oldestLeavesInMs },
  };
}

/** Leaky bucket (meter): how full the bucket is and when it is empty. */
export function describeLeakyBucket(state: BacklogState | undefined, now: number, rate: Rate, capacity: number): StateDescription {
  const y = drainBacklog(state, now, rate.limit);
  const level = y / rate.periodMs;
  const emptyInMs = ceilDiv(y, rate.limit);
  return {
    summary: `bucket level ${words(level)} of ${capacity}; empty in ${emptyInMs} ms`,
    values: { level, capacity, emptyInMs },
  };
}

/** Token bucket (and its debt variant): tokens left (negative = debt) and when the bucket is full. */
export function describeTokenBucket(state: BacklogState | undefined, now: number, rate: Rate, burst: number, maxDebt: number): StateDescription {
  const y = drainBacklog(state, now, rate.limit);
  const tokens = burst - y / rate.periodMs;
  const fullInMs = ceilDiv(y, rate.limit);
  const debt = tokens < 0 ? ` (in debt by ${words(-tokens)}, at most ${maxDebt})` : '';
  return {
    summary: `${words(tokens)} of ${burst} tokens${debt}; full in ${fullInMs} ms`,
    values: { tokens, burst, maxDebt, fullInMs },
  };
}

/** Leaky bucket with a queue: units waiting and how long a new hit would wait. */
export function describeQueue(state: BacklogState | undefined, now: number, rate: Rate, queueSize: number): StateDescription {
  const y = drainBacklog(state, now, rate.limit);
  const queued = y / rate.periodMs;
  const waitMs = ceilDiv(y, rate.limit);
  return {
    summary: `${words(queued)} of ${queueSize} queued; a hit now waits ${waitMs} ms`,
    values: { queued, queueSize, waitMs },
  };
}

/** GCRA: the theoretical arrival time (tat) relative to now, and the burst tolerance. */
export function describeGcra(state: BacklogState | undefined, now: number, rate: Rate, toleranceMs: number): StateDescription {
  const y = drainBacklog(state, now, rate.limit);
  const tatInMs = ceilDiv(y, rate.limit);
  const earliestInMs = Math.max(0, ceilDiv(y - toleranceMs * rate.limit, rate.limit));
  return {
    summary: `theoretical arrival time ${tatInMs} ms from now (tolerance ${toleranceMs} ms); the next hit ${earliestInMs === 0 ? 'is allowed now' : `is allowed in ${earliestInMs} ms`}`,
    values: { tat: now + tatInMs, tatInMs, toleranceMs, nextAllowedInMs: earliestInMs },
  };
}

/** The reported capacity of a backlog strategy whose burst is "the rate's limit" when unset. */
export function orLimit(value: number | undefined, rate: Rate): number {
  return value ?? rate.limit;
}

