import type { Rate } from '../rate.js';
import { ceilDiv, floorDiv } from './integer-math.js';
import { BACKLOG_LUA } from './backlog.lua.js';
import type { LuaStep } from './lua-step.js';
import { parseIntegers, type StateDescription, type StepOutcome, type Strategy } from './strategy.js';
import { describeLeakyBucket } from './describe-state.js';

/**
 * The bucket family's state (SEMANTICS.md "one scaled backlog"): backlog `y`
 * in units scaled by P, last updated at `last` (ms). It drains by L per ms.
 */
export interface BacklogState {
  readonly y: number;
  readonly last: number;
}

/**
 * The backlog at `now`: `max(0, y - (now - last) * L)`. A clock that went
 * backwards drains nothing (elapsed time is never negative).
 */
export function drainBacklog(state: BacklogState | undefined, now: number, L: number): number {
  if (state === undefined) return 0;
  const elapsed = now - state.last;
  if (elapsed <= 0) return state.y;
  const drained = elapsed * L;
  return drained >= state.y ? 0 : state.y - drained;
}

/** The time stored with a new backlog: `now`, or `last` when the clock went backwards. */
export function backlogTime(state: BacklogState | undefined, now: number): number {
  return state !== undefined && state.last > now ? state.last : now;
}

/**
 * Base of the token bucket, its debt variant, the leaky bucket and the queue:
 * a hit of cost c is allowed iff `c <= K` and `y' + c * P <= K * P`, where K
 * is the strategy's capacity in units. Subclasses choose K, the reported
 * limit, and whether allowed hits carry a queue delay.
 */
export abstract class BacklogStrategy implements Strategy<BacklogState> {
  abstract readonly name: string;
  /**
   * The configured size B (burst or queue), or undefined for "the rate's
   * limit". Fields, not overridden methods: the step reads them without a
   * virtual call, so one step serves every subclass at full speed.
   */
  protected size: number | undefined = undefined;
  /** Units allowed beyond B (the debt); 0 elsewhere. */
  protected extra = 0;
  /** True when allowed hits carry `delayMs` (the queue). */
  protected delays = false;

  /** Capacity K in units: the backlog may reach K * P. */
  protected capacity(rate: Rate): number {
    return (this.size ?? rate.limit) + this.extra;
  }
  /** The `limit` reported in decisions: B. */
  protected reportedLimit(rate: Rate): number {
    return this.size ?? rate.limit;
  }
  /**
   * The Lua twin run by the Redis backend (backlog.lua.ts), with this
   * strategy's capacity, reported limit and delay flag as params.
   */
  readonly lua: LuaStep | undefined = {
    source: BACKLOG_LUA.source,
    params: (rate: Rate) => [this.capacity(rate), this.reportedLimit(rate), this.delays ? 1 : 0],
  };

  step(state: BacklogState | undefined, now: number, cost: number, rate: Rate): StepOutcome<BacklogState> {
    const L = rate.limit;
    const P = rate.periodMs;
    const limit = this.size ?? L;
    const K = limit + this.extra;
    const y0 = drainBacklog(state, now, L);
    const last = backlogTime(state, now);
    if (cost <= K && y0 + cost * P <= K * P) {
      const y = y0 + cost * P;
      const resetAfterMs = ceilDiv(y, L);
      return {
        decision: {
          allowed: true, limit,
          remaining: Math.max(0, floorDiv(K * P - y, P)),
          retryAfterMs: 0, resetAfterMs,
          delayMs: this.delays ? ceilDiv(y0, L) : 0,
        },
        state: { y, last },
        ttlMs: Math.max(1, resetAfterMs),
      };
    }
    const resetAfterMs = ceilDiv(y0, L);
    return {
      decision: {
        allowed: false, limit,
        remaining: Math.max(0, floorDiv(K * P - y0, P)),
        retryAfterMs: cost > K ? Infinity : ceilDiv(y0 + cost * P - K * P, L),
        resetAfterMs, delayMs: 0,
      },
      state: { y: y0, last },
      ttlMs: Math.max(1, resetAfterMs),
    };
  }

  /** The bucket's level (subclasses describe tokens or a queue instead). */
  describe(state: BacklogState | undefined, now: number, rate: Rate): StateDescription {
    return describeLeakyBucket(state, now, rate, this.capacity(rate));
  }

  serialize(state: BacklogState): string {
    return `${state.y},${state.last}`;
  }

  parse(text: string): BacklogState {
    return parseBacklog(this.name, text);
  }
}

/** Reads a backlog state written as "y,last"; throws `TypeError` for anything else. */
export function parseBacklog(strategy: string, text: string): BacklogState {
  const [y, last] = parseIntegers(strategy, text, 2) as [number, number];
  if (y < 0) throw new TypeError(`${strategy}: stored backlog ${y} is negative`);
  return { y, last };
}
