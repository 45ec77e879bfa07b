import type { Rate } from '../rate.js';
import { checkExactProduct } from './exact-arithmetic.js';
import { ceilDiv, floorDiv } from './integer-math.js';
import { BACKLOG_LUA } from './backlog.lua.js';
import type { LuaStep } from './lua-step.js';
import { checkResolvedOption, checkSizeAcrossRates, type PerRateOption } from './per-rate-option.js';
import { parseIntegers, type StateDescription, type StepArgs, type StepOp, type StepOutcome, type Strategy } from './strategy.js';

/**
 * The bucket family's state (docs/semantics.md "one scaled backlog"): backlog `y`
 * in units scaled by the reduced period `P' = P / gcd(L, P)`, last updated at
 * `last` (ms). It drains by `L' = L / gcd(L, P)` per ms.
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

/** A number for a sentence: whole numbers as they are, others to 3 decimals. */
export function inWords(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

/**
 * Base of the token bucket, its debt variant, the leaky bucket and the queue:
 * a hit of cost c is allowed iff `c <= K` and `y' + c * P' <= K * P'`, where K
 * is the strategy's capacity in units. Subclasses choose K, the reported
 * limit, and whether allowed hits carry a queue delay.
 *
 * Every formula runs on the rate reduced by `g = gcd(L, P)` (drain `L / g`
 * per `P / g` ms; docs/semantics.md "Notation"), so "100000000/day" and
 * "1000000000/hour" work; `validateRate` refuses a rate only when even
 * `K * P / g` leaves the exact range of doubles.
 *
 * Charge adds `c * P'` to the backlog even past the capacity (later hits
 * wait until it drains); refund takes back up to `c * P'`. Both are allowed,
 * carry `delayMs` 0. A clock that steps back (now < last) drains nothing,
 * and every time reported (retry, reset, delay, TTL) counts from the real
 * now, so it includes the `last - now` the clock must first catch up.
 */
export abstract class BacklogStrategy implements Strategy<BacklogState> {
  abstract readonly name: string;
  /** Implements the `'charge'` and `'refund'` ops. */
  readonly supportsChargeAndRefund = true;
  /** The backlog only drains with time: a denial holds until its retry time (unless refunded or reset). */
  readonly denialsHoldUntilRetry = true;
  /**
   * The configured size B (burst or queue) per rate, or undefined for "the
   * rate's limit". Fields, not overridden methods: the step reads them without a
   * virtual call, so one step serves every subclass at full speed.
   */
  protected size: PerRateOption | undefined = undefined;
  /** Units allowed beyond B (the debt) per rate; 0 elsewhere. */
  protected extra: PerRateOption = 0;
  /** True when allowed hits carry `delayMs` (the queue). */
  protected delays = false;
  /** The class name, for messages. */
  protected owner = 'LeakyBucketStrategy';
  /** The option name of `size`, for messages. */
  protected sizeName = 'size';

  /** Capacity K in units for `rate`: the backlog may reach K * P'. */
  protected capacity(rate: Rate): number {
    const extra = this.extra;
    return this.reportedLimit(rate) + (typeof extra === 'number' ? extra : extra(rate));
  }
  /** The `limit` reported in decisions for `rate`: B. */
  protected reportedLimit(rate: Rate): number {
    const size = this.size;
    return size === undefined ? rate.limit : typeof size === 'number' ? size : size(rate);
  }
  /**
   * The Lua twin run by the Redis backend (backlog.lua.ts), with this
   * strategy's capacity, reported limit, delay flag and the reduced rate as params.
   */
  readonly lua: LuaStep | undefined = {
    source: BACKLOG_LUA.source,
    params: (rate: Rate) => [this.capacity(rate), this.reportedLimit(rate), this.delays ? 1 : 0, rate.reducedLimit, rate.reducedPeriodMs],
  };

  step(state: BacklogState | undefined, now: number, cost: number, rate: Rate, _args?: StepArgs, op: StepOp = 'hit'): StepOutcome<BacklogState> {
    const L = rate.reducedLimit;
    const P = rate.reducedPeriodMs;
    const size = this.size;
    const limit = size === undefined ? rate.limit : typeof size === 'number' ? size : size(rate);
    const extra = this.extra;
    const K = limit + (typeof extra === 'number' ? extra : extra(rate));
    const y0 = drainBacklog(state, now, L);
    const last = backlogTime(state, now);
    // Times count from the real now: a clock that stepped back waits until `last` too.
    const ahead = last - now;
    if (op !== 'hit' || cost === 0 || (cost <= K && y0 + cost * P <= K * P)) {
      const y = op === 'refund' ? Math.max(0, y0 - cost * P) : Math.min(Number.MAX_SAFE_INTEGER, y0 + cost * P);
      const resetAfterMs = ahead + ceilDiv(y, L);
      return {
        decision: {
          allowed: true, limit,
          remaining: Math.max(0, floorDiv(K * P - y, P)),
          retryAfterMs: 0, resetAfterMs,
          delayMs: this.delays && op === 'hit' ? ahead + ceilDiv(y0, L) : 0,
        },
        state: { y, last },
        ttlMs: Math.max(1, resetAfterMs),
      };
    }
    const resetAfterMs = ahead + ceilDiv(y0, L);
    return {
      decision: {
        allowed: false, limit,
        remaining: Math.max(0, floorDiv(K * P - y0, P)),
        retryAfterMs: cost > K ? Infinity : ahead + ceilDiv(y0 + cost * P - K * P, L),
        resetAfterMs, delayMs: 0,
      },
      state: { y: y0, last },
      ttlMs: Math.max(1, resetAfterMs),
    };
  }

  /** The bucket's level and when it is empty (subclasses describe tokens or a queue instead). */
  describe(state: BacklogState | undefined, now: number, rate: Rate): StateDescription {
    const y = drainBacklog(state, now, rate.reducedLimit);
    const level = y / rate.reducedPeriodMs;
    const capacity = this.capacity(rate);
    const emptyInMs = ceilDiv(y, rate.reducedLimit);
    return {
      summary: `bucket level ${inWords(level)} of ${capacity}; empty in ${emptyInMs} ms`,
      values: { level, capacity, emptyInMs },
    };
  }

  /**
   * Checks per-rate options give whole numbers for `rate`, and that the
   * capacity scaled by the reduced period stays exact (below 2^53).
   */
  validateRate(rate: Rate): void {
    if (rate.unlimited) return;
    checkResolvedOption(this.owner, this.sizeName, this.size, rate, 1);
    checkResolvedOption(this.owner, 'maxDebt', this.extra, rate, 0);
    checkExactProduct(this.owner, rate, 'capacity x period / gcd(limit, period)', this.capacity(rate) * rate.reducedPeriodMs);
  }

  /** Refuses one size for several rates when it would cap a rate's bucket below that rate's limit. */
  validateRates(rates: readonly Rate[]): void {
    checkSizeAcrossRates(this.owner, this.sizeName, this.size, rates);
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
