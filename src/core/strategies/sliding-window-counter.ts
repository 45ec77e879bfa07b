import { checkOptionNames } from '../options.js';
import type { Rate } from '../rate.js';
import { checkExactProduct } from './exact-arithmetic.js';
import { currentWindow } from './fixed-window.js';
import { ceilDiv, floorDiv } from './integer-math.js';
import type { LuaStep } from './lua-step.js';
import { SLIDING_WINDOW_COUNTER_LUA } from './sliding-window-counter.lua.js';
import { parseIntegers, type StateDescription, type StepArgs, type StepOp, type StepOutcome, type Strategy } from './strategy.js';

/** Sliding-window-counter state: units admitted in window `w` (`cur`) and in `w - 1` (`prev`). */
export interface SlidingWindowCounterState {
  readonly w: number;
  readonly prev: number;
  readonly cur: number;
}

/**
 * The counts seen from window `w`: `cur` = units admitted in `w`, `prev` in
 * `w - 1` (a state from `w - 1` has become the previous window; older is gone).
 */
export function windowCounts(state: SlidingWindowCounterState | undefined, w: number): { prev: number; cur: number } {
  if (state === undefined) return { prev: 0, cur: 0 };
  if (state.w === w) return { prev: state.prev, cur: state.cur };
  if (state.w === w - 1) return { prev: state.cur, cur: 0 };
  return { prev: 0, cur: 0 };
}

/**
 * Sliding window counter: estimates the last period's usage as
 * `prev * (P - e) / P + cur` (e = time into the current window), compared
 * scaled by P so it stays an integer. O(1) state; smooths the fixed window's
 * boundary burst. Exact rules: docs/semantics.md "Sliding window counter".
 *
 * Charge adds `c` to the current window even past L; refund takes back up
 * to `c` units of the current window (units of the previous one are not
 * given back). A clock that steps back into an earlier window keeps using
 * the stored window as if now were its start (e = 0, the most conservative
 * point), so it never reopens an older, emptier window. Refuses rates with
 * `L * P` above 2^53 (`validateRate`): "100000000/day" fits.
 */
export class SlidingWindowCounterStrategy implements Strategy<SlidingWindowCounterState> {
  readonly name = 'sliding-window-counter';
  /** The Lua twin run by the Redis backend. */
  readonly lua: LuaStep | undefined = SLIDING_WINDOW_COUNTER_LUA;
  /** Implements the `'charge'` and `'refund'` ops. */
  readonly supportsChargeAndRefund = true;
  /** The estimate only falls with time: a denial holds until its retry time (unless refunded or reset). */
  readonly denialsHoldUntilRetry = true;

  constructor(options?: Record<string, never>) {
    checkOptionNames('SlidingWindowCounterStrategy', options, []);
  }

  step(
    state: SlidingWindowCounterState | undefined, now: number, cost: number, rate: Rate, _args?: StepArgs, op: StepOp = 'hit',
  ): StepOutcome<SlidingWindowCounterState> {
    const L = rate.limit;
    const P = rate.periodMs;
    const w = currentWindow(state?.w, now, P);
    // Time into the window; 0 when the clock stepped back before the stored window's start.
    const shift = Math.max(0, w * P - now);
    const e = now + shift - w * P;
    const { prev, cur } = windowCounts(state, w);
    const ttlMs = (w + 2) * P - now;
    const capacity = L * P;
    if (op !== 'hit' || cost === 0 || (cost <= L && prev * (P - e) + (cur + cost) * P <= capacity)) {
      const after = op === 'refund' ? Math.max(0, cur - cost) : Math.min(Number.MAX_SAFE_INTEGER, cur + cost);
      return {
        decision: {
          allowed: true, limit: L,
          remaining: Math.max(0, floorDiv(capacity - prev * (P - e) - after * P, P)),
          retryAfterMs: 0, resetAfterMs: this.resetAfter(w, P, now, prev, after), delayMs: 0,
        },
        state: { w, prev, cur: after },
        ttlMs,
      };
    }
    let retryAfterMs: number;
    if (cost > L) retryAfterMs = Infinity;
    else if (cur + cost <= L) retryAfterMs = shift + ceilDiv((P - e) * prev - (L - cur - cost) * P, prev);
    else retryAfterMs = (w + 1) * P - now + Math.max(0, ceilDiv(P * (cur - L + cost), cur));
    return {
      decision: {
        allowed: false, limit: L,
        remaining: Math.max(0, floorDiv(capacity - prev * (P - e) - cur * P, P)),
        retryAfterMs, resetAfterMs: this.resetAfter(w, P, now, prev, cur), delayMs: 0,
      },
      state: { w, prev, cur },
      ttlMs,
    };
  }

  private resetAfter(w: number, P: number, now: number, prev: number, cur: number): number {
    if (cur > 0) return (w + 2) * P - now;
    if (prev > 0) return (w + 1) * P - now;
    return 0;
  }

  /** The previous and current window's counts and the weighted estimate. */
  describe(state: SlidingWindowCounterState | undefined, now: number, rate: Rate): StateDescription {
    const L = rate.limit;
    const P = rate.periodMs;
    const w = currentWindow(state?.w, now, P);
    const e = Math.max(0, now - w * P);
    const { prev: previous, cur: current } = windowCounts(state, w);
    const estimate = (previous * (P - e) + current * P) / P;
    const windowEndsInMs = (w + 1) * P - now;
    const shown = Number.isInteger(estimate) ? String(estimate) : estimate.toFixed(3);
    return {
      summary: `about ${shown} of ${L} used in the last ${P} ms (previous window ${previous}, current window ${current}); the window ends in ${windowEndsInMs} ms`,
      values: { estimate, previous, current, limit: L, windowEndsInMs },
    };
  }

  /** Refuses a rate whose `L * P` (the scaled capacity) is not exact in doubles. */
  validateRate(rate: Rate): void {
    checkExactProduct('SlidingWindowCounterStrategy', rate, 'limit x period', rate.limit * rate.periodMs);
  }

  serialize(state: SlidingWindowCounterState): string {
    return `${state.w},${state.prev},${state.cur}`;
  }

  parse(text: string): SlidingWindowCounterState {
    const [w, prev, cur] = parseIntegers(this.name, text, 3) as [number, number, number];
    return { w, prev, cur };
  }
}
