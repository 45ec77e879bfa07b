import { checkOptionNames } from '../options.js';
import type { Rate } from '../rate.js';
import { backlogTime, drainBacklog, parseBacklog, type BacklogState } from './backlog.js';
import { GCRA_LUA } from './backlog.lua.js';
import { checkExactProduct } from './exact-arithmetic.js';
import { ceilDiv, floorDiv } from './integer-math.js';
import type { LuaStep } from './lua-step.js';
import { checkPerRateOption, checkResolvedOption, resolvePerRate, type PerRateOption } from './per-rate-option.js';
import type { StateDescription, StepArgs, StepOp, StepOutcome, Strategy } from './strategy.js';
import { optionLabel } from './token-bucket.js';

/** Options of `GCRAStrategy`. */
export interface GCRAOptions {
  /**
   * How early a hit may arrive before its theoretical time, tau >= 0 ms
   * (default 0: perfectly smooth). One number applies to every rate as a
   * time (with `['10/second', '1000/hour']`, tau 1000 ms lets 11 through at
   * once on the first and 1 on the second); give a function of the rate to
   * choose per rate: `burstToleranceMs: (rate) => rate.periodMs`.
   */
  burstToleranceMs?: PerRateOption;
}

/**
 * GCRA (generic cell rate algorithm): one emission every P / L ms, with
 * `burstToleranceMs` (tau) of slack. A hit is allowed iff the line is clear at
 * its start (`tat - tau <= now`) and then pays its whole cost, so a large cost
 * is never refused outright (never Infinity). `limit` = floor(tau * L / P) + 1.
 * Runs on the rate reduced by gcd(L, P), as the bucket family does. Charge
 * moves the theoretical arrival time forward by `c` emission intervals even
 * past the tolerance; refund moves it back by up to `c` (never before now).
 */
export class GCRAStrategy implements Strategy<BacklogState> {
  readonly name: string;
  /** The burst tolerance tau in ms (a number or a function of the rate). */
  readonly burstToleranceMs: PerRateOption;
  /** Implements the `'charge'` and `'refund'` ops. */
  readonly supportsChargeAndRefund = true;
  /** The arrival time only recedes with time: a denial holds until its retry time (unless refunded or reset). */
  readonly denialsHoldUntilRetry = true;
  /** The Lua twin run by the Redis backend (backlog.lua.ts), with tau and the reduced rate as params. */
  readonly lua: LuaStep | undefined = {
    source: GCRA_LUA.source,
    params: (rate: Rate) => [resolvePerRate(this.burstToleranceMs, rate, 0), rate.reducedLimit, rate.reducedPeriodMs],
  };

  constructor(options: GCRAOptions = {}) {
    checkOptionNames('GCRAStrategy', options, ['burstToleranceMs']);
    this.burstToleranceMs = checkPerRateOption('GCRAStrategy', 'burstToleranceMs', options.burstToleranceMs, 0) ?? 0;
    this.name = `gcra:${optionLabel(this.burstToleranceMs)}`;
  }

  step(state: BacklogState | undefined, now: number, cost: number, rate: Rate, _args?: StepArgs, op: StepOp = 'hit'): StepOutcome<BacklogState> {
    const L = rate.reducedLimit;
    const P = rate.reducedPeriodMs;
    const tau = this.burstToleranceMs;
    const slack = (typeof tau === 'number' ? tau : tau(rate)) * L;
    const limit = floorDiv(slack, P) + 1;
    const y0 = drainBacklog(state, now, L);
    const last = backlogTime(state, now);
    // Times count from the real now: a clock that stepped back waits until `last` too.
    const ahead = last - now;
    if (cost === 0 || y0 <= slack || op !== 'hit') {
      const y = op === 'refund' ? Math.max(0, y0 - cost * P) : Math.min(Number.MAX_SAFE_INTEGER, y0 + cost * P);
      const resetAfterMs = ahead + ceilDiv(y, L);
      return {
        decision: { allowed: true, limit, remaining: Math.max(0, floorDiv(slack - y, P) + 1), retryAfterMs: 0, resetAfterMs, delayMs: 0 },
        state: { y, last },
        ttlMs: Math.max(1, resetAfterMs),
      };
    }
    const resetAfterMs = ahead + ceilDiv(y0, L);
    return {
      decision: {
        allowed: false, limit, remaining: Math.max(0, floorDiv(slack - y0, P) + 1),
        retryAfterMs: ahead + ceilDiv(y0 - slack, L), resetAfterMs, delayMs: 0,
      },
      state: { y: y0, last },
      ttlMs: Math.max(1, resetAfterMs),
    };
  }

  /** The theoretical arrival time (tat) relative to now, and when the next hit is allowed. */
  describe(state: BacklogState | undefined, now: number, rate: Rate): StateDescription {
    const L = rate.reducedLimit;
    const toleranceMs = resolvePerRate(this.burstToleranceMs, rate, 0);
    const y = drainBacklog(state, now, L);
    const tatInMs = ceilDiv(y, L);
    const earliestInMs = Math.max(0, ceilDiv(y - toleranceMs * L, L));
    return {
      summary: `theoretical arrival time ${tatInMs} ms from now (tolerance ${toleranceMs} ms); the next hit ${earliestInMs === 0 ? 'is allowed now' : `is allowed in ${earliestInMs} ms`}`,
      values: { tat: now + tatInMs, tatInMs, toleranceMs, nextAllowedInMs: earliestInMs },
    };
  }

  /** Checks a per-rate tolerance gives a whole number, and that tau x L / gcd(L, P) stays exact. */
  validateRate(rate: Rate): void {
    if (rate.unlimited) return;
    checkResolvedOption('GCRAStrategy', 'burstToleranceMs', this.burstToleranceMs, rate, 0);
    const tau = resolvePerRate(this.burstToleranceMs, rate, 0);
    checkExactProduct('GCRAStrategy', rate, 'burstToleranceMs x limit / gcd(limit, period)', tau * rate.reducedLimit + rate.reducedPeriodMs);
  }

  serialize(state: BacklogState): string {
    return `${state.y},${state.last}`;
  }

  parse(text: string): BacklogState {
    return parseBacklog(this.name, text);
  }
}
