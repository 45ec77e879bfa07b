import { checkOptionNames } from '../options.js';
import type { Rate } from '../rate.js';
import { floorDiv } from './integer-math.js';
import { FIXED_WINDOW_LUA } from './fixed-window.lua.js';
import type { LuaStep } from './lua-step.js';
import { parseIntegers, type StateDescription, type StepArgs, type StepOp, type StepOutcome, type Strategy } from './strategy.js';

/** Fixed-window state: `n` units admitted in window `w` (= floor(now / P)). */
export interface FixedWindowState {
  readonly w: number;
  readonly n: number;
}

/**
 * The window a step works in: `floor(now / P)`, or the stored window when it
 * is later (the clock stepped back). A window never goes backwards, so a
 * clock that jumps back cannot reopen an earlier, empty window.
 */
export function currentWindow(storedWindow: number | undefined, now: number, P: number): number {
  const w = floorDiv(now, P);
  return storedWindow !== undefined && storedWindow > w ? storedWindow : w;
}

/**
 * Fixed window (the default). Windows are aligned to the epoch; a hit of cost
 * `c` is allowed iff the window's count plus `c` stays within L. Cheapest
 * strategy (O(1) state), but up to 2L can pass around a window boundary.
 * Denied: retry at the next window, Infinity when `c > L`.
 *
 * Charge adds `c` even past L (later hits wait for the next window); refund
 * takes back up to `c` units of the current window. A clock that steps back
 * keeps counting in the stored window (`currentWindow`). Works with any
 * rate whose limit and period are below 2^53 (no products of L and P).
 */
export class FixedWindowStrategy implements Strategy<FixedWindowState> {
  readonly name = 'fixed-window';
  /** The Lua twin run by the Redis backend. */
  readonly lua: LuaStep | undefined = FIXED_WINDOW_LUA;
  /** Implements the `'charge'` and `'refund'` ops. */
  readonly supportsChargeAndRefund = true;
  /** A denial holds until the window ends: only a refund or a reset reopens it. */
  readonly denialsHoldUntilRetry = true;

  constructor(options?: Record<string, never>) {
    checkOptionNames('FixedWindowStrategy', options, []);
  }

  step(state: FixedWindowState | undefined, now: number, cost: number, rate: Rate, _args?: StepArgs, op: StepOp = 'hit'): StepOutcome<FixedWindowState> {
    const L = rate.limit;
    const P = rate.periodMs;
    const w = currentWindow(state?.w, now, P);
    const n = state !== undefined && state.w === w ? state.n : 0;
    const windowEnd = (w + 1) * P - now;
    if (cost === 0 || n + cost <= L || op !== 'hit') {
      const after = op === 'refund' ? Math.max(0, n - cost) : Math.min(Number.MAX_SAFE_INTEGER, n + cost);
      return {
        decision: { allowed: true, limit: L, remaining: Math.max(0, L - after), retryAfterMs: 0, resetAfterMs: after === 0 ? 0 : windowEnd, delayMs: 0 },
        state: { w, n: after },
        ttlMs: windowEnd,
      };
    }
    return {
      decision: {
        allowed: false, limit: L, remaining: Math.max(0, L - n),
        retryAfterMs: cost > L ? Infinity : windowEnd,
        resetAfterMs: n === 0 ? 0 : windowEnd, delayMs: 0,
      },
      state: { w, n },
      ttlMs: windowEnd,
    };
  }

  /** The window's count, what is left, and when the window ends. */
  describe(state: FixedWindowState | undefined, now: number, rate: Rate): StateDescription {
    const L = rate.limit;
    const P = rate.periodMs;
    const w = currentWindow(state?.w, now, P);
    const count = state !== undefined && state.w === w ? state.n : 0;
    const remaining = Math.max(0, L - count);
    const windowEndsInMs = (w + 1) * P - now;
    return {
      summary: `${count} of ${L} used in this window (${remaining} left); the window ends in ${windowEndsInMs} ms`,
      values: { count, limit: L, remaining, windowEndsInMs },
    };
  }

  serialize(state: FixedWindowState): string {
    return `${state.w},${state.n}`;
  }

  parse(text: string): FixedWindowState {
    const [w, n] = parseIntegers(this.name, text, 2) as [number, number];
    return { w, n };
  }
}
