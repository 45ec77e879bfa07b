import { checkOptionNames } from '../options.js';
import type { Rate } from '../rate.js';
import { floorDiv } from './integer-math.js';
import { FIXED_WINDOW_LUA } from './fixed-window.lua.js';
import type { LuaStep } from './lua-step.js';
import { parseIntegers, type StepOutcome, type Strategy } from './strategy.js';
import { describeFixedWindow } from './describe-state.js';
import type { StateDescription } from './strategy.js';

/** Fixed-window state: `n` units admitted in window `w` (= floor(now / P)). */
export interface FixedWindowState {
  readonly w: number;
  readonly n: number;
}

/**
 * Fixed window (the default). Windows are aligned to the epoch; a hit of cost
 * `c` is allowed iff the window's count plus `c` stays within L. Cheapest
 * strategy (O(1) state), but up to 2L can pass around a window boundary.
 * Denied: retry at the next window, Infinity when `c > L`.
 */
export class FixedWindowStrategy implements Strategy<FixedWindowState> {
  readonly name = 'fixed-window';
  /** The Lua twin run by the Redis backend. */
  readonly lua: LuaStep | undefined = FIXED_WINDOW_LUA;

  constructor(options?: Record<string, never>) {
    checkOptionNames('FixedWindowStrategy', options, []);
  }

  step(state: FixedWindowState | undefined, now: number, cost: number, rate: Rate): StepOutcome<FixedWindowState> {
    const L = rate.limit;
    const P = rate.periodMs;
    const w = floorDiv(now, P);
    const n = state !== undefined && state.w === w ? state.n : 0;
    const windowEnd = (w + 1) * P - now;
    if (n + cost <= L) {
      const after = n + cost;
      return {
        decision: { allowed: true, limit: L, remaining: L - after, retryAfterMs: 0, resetAfterMs: after === 0 ? 0 : windowEnd, delayMs: 0 },
        state: { w, n: after },
        ttlMs: windowEnd,
      };
    }
    return {
      decision: {
        allowed: false, limit: L, remaining: L - n,
        retryAfterMs: cost > L ? Infinity : windowEnd,
        resetAfterMs: n === 0 ? 0 : windowEnd, delayMs: 0,
      },
      state: { w, n },
      ttlMs: windowEnd,
    };
  }

  /** The window's count, what is left, and when the window ends. */
  describe(state: FixedWindowState | undefined, now: number, rate: Rate): StateDescription {
    return describeFixedWindow(state, now, rate);
  }

  serialize(state: FixedWindowState): string {
    return `${state.w},${state.n}`;
  }

  parse(text: string): FixedWindowState {
    const [w, n] = parseIntegers(this.name, text, 2) as [number, number];
    return { w, n };
  }
}
