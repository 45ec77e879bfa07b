import { ConfigurationError } from '../errors.js';
import { checkOptionNames, checkWholeNumber } from '../options.js';
import type { Rate } from '../rate.js';
import { floorDiv } from './integer-math.js';
import { toPerMille } from './per-mille.js';
import type { LuaStep } from './lua-step.js';
import { QUOTA_WITH_ROLLOVER_LUA } from './quota-with-rollover.lua.js';
import { parseIntegers, type StateDescription, type StepArgs, type StepOp, type StepOutcome, type Strategy } from './strategy.js';

/** Quota state: `used` units in period `w` (= floor(now / P)), which started with `carry` rolled-over units. */
export interface QuotaWithRolloverState {
  readonly w: number;
  readonly used: number;
  readonly carry: number;
}

/** Options of `QuotaWithRolloverStrategy`. */
export interface QuotaWithRolloverOptions {
  /** Share of a period's unused base quota that rolls over, in [0, 1], at most 3 decimals. Default 1. */
  rolloverShare?: number;
  /** Most units that may roll over into one period. A whole number >= 0; default: the rate's limit. */
  maxRollover?: number;
}

/**
 * Quota with rollover: an epoch-aligned quota of L units per period (`w =
 * floor(now / P)`), where what a period leaves unused carries over to the
 * next one, capped. With `share` in thousandths and `cap = maxRollover ?? L`:
 * - A period that follows a period with usage `u` starts with
 *   `carry = min(cap, floor(max(0, L - u) * share / 1000))`; a period after
 *   an idle one (or a fresh key) starts with `carry = 0`: only the period
 *   right before counts, and rollover never compounds.
 * - allowed iff `used + c <= L + carry`; then `used += c`.
 * - `limit` = this period's allowance `L + carry`; `remaining = L + carry - used`.
 * - denied: `retryAfterMs` = time to the next period when `c <= L + next`
 *   (`next` = the carry this period will leave); Infinity otherwise (the hit
 *   needs more than any period reached without further hits will allow).
 * - `resetAfterMs`: to the end of this period, or of the next one when this
 *   period will leave a carry; 0 for an unused period without carry.
 */
export class QuotaWithRolloverStrategy implements Strategy<QuotaWithRolloverState> {
  readonly name: string;
  /** The rolled-over share in thousandths. */
  readonly rolloverPerMille: number;
  /** The configured cap, or undefined for "the rate's limit". */
  readonly maxRollover: number | undefined;
  /** The Lua twin run by the Redis backend (quota-with-rollover.lua.ts): the cap and the share as params. */
  /** Implements the `'charge'` and `'refund'` ops on this period's usage (a refund never touches the carry). */
  readonly supportsChargeAndRefund = true;
  /** Usage only grows within a period: a denial holds until the period ends (unless refunded or reset). */
  readonly denialsHoldUntilRetry = true;
  readonly lua: LuaStep | undefined = {
    source: QUOTA_WITH_ROLLOVER_LUA.source,
    params: (rate: Rate) => [this.maxRollover ?? rate.limit, this.rolloverPerMille],
  };

  constructor(options: QuotaWithRolloverOptions = {}) {
    const owner = 'QuotaWithRolloverStrategy';
    checkOptionNames(owner, options, ['rolloverShare', 'maxRollover']);
    this.rolloverPerMille = toPerMille(owner, 'rolloverShare', options.rolloverShare ?? 1, 0, 1);
    this.maxRollover = options.maxRollover === undefined ? undefined : checkWholeNumber(owner, 'maxRollover', options.maxRollover, 0);
    this.name = `quota-rollover:${this.rolloverPerMille}:${this.maxRollover ?? 'L'}`;
  }

  step(state: QuotaWithRolloverState | undefined, now: number, cost: number, rate: Rate, _args?: StepArgs, op: StepOp = 'hit'): StepOutcome<QuotaWithRolloverState> {
    const L = rate.limit;
    const P = rate.periodMs;
    const w = floorDiv(now, P);
    let used = 0;
    let carry = 0;
    if (state !== undefined && state.w >= w) {
      used = state.used;
      carry = state.carry;
    } else if (state !== undefined && state.w === w - 1) {
      carry = this.carryAfter(state.used, L);
    }
    const periodEnd = (w + 1) * P - now;
    const allowance = L + carry;
    if (cost === 0 || used + cost <= allowance || op !== 'hit') {
      const after = op === 'refund' ? Math.max(0, used - cost) : Math.min(Number.MAX_SAFE_INTEGER, used + cost);
      const resetAfterMs = this.resetAfter(after, carry, L, P, periodEnd);
      return {
        decision: { allowed: true, limit: allowance, remaining: Math.max(0, allowance - after), retryAfterMs: 0, resetAfterMs, delayMs: 0 },
        state: { w, used: after, carry },
        ttlMs: Math.max(1, resetAfterMs),
      };
    }
    // With no further hits, the next period allows L + carryAfter(used) when
    // this period was used, L otherwise; later periods allow L.
    const next = used > 0 ? this.carryAfter(used, L) : 0;
    const resetAfterMs = this.resetAfter(used, carry, L, P, periodEnd);
    return {
      decision: {
        allowed: false, limit: allowance, remaining: Math.max(0, allowance - used),
        retryAfterMs: cost <= L + next ? periodEnd : Infinity,
        resetAfterMs, delayMs: 0,
      },
      state: { w, used, carry },
      ttlMs: Math.max(1, resetAfterMs),
    };
  }

  /** Until the key is fresh: this period's end, or the next one's when this period leaves a carry; 0 when unused without carry. */
  private resetAfter(u: number, carry: number, L: number, P: number, periodEnd: number): number {
    if (u === 0) return carry === 0 ? 0 : periodEnd;
    return this.carryAfter(u, L) > 0 ? periodEnd + P : periodEnd;
  }

  /** The carry a period with usage `u` leaves: `min(cap, floor(max(0, L - u) * share / 1000))`. */
  carryAfter(u: number, L: number): number {
    const cap = this.maxRollover ?? L;
    return Math.min(cap, floorDiv(Math.max(0, L - u) * this.rolloverPerMille, 1000));
  }

  validateRate(rate: Rate): void {
    if (!rate.unlimited && rate.limit * 1000 > 2 ** 53) {
      throw new ConfigurationError(`QuotaWithRolloverStrategy: limit ${rate.limit} is too large for exact arithmetic in thousandths`);
    }
  }

  /** This period's allowance (L + carry), the usage and when the period ends. */
  describe(state: QuotaWithRolloverState | undefined, now: number, rate: Rate): StateDescription {
    const d = this.step(state, now, 0, rate).decision;
    const carry = d.limit - rate.limit;
    const used = d.limit - d.remaining;
    const periodEndsInMs = (floorDiv(now, rate.periodMs) + 1) * rate.periodMs - now;
    return {
      summary: `${used} of ${d.limit} used this period (${rate.limit} + ${carry} rolled over); the period ends in ${periodEndsInMs} ms`,
      values: { used, allowance: d.limit, carry, remaining: d.remaining, periodEndsInMs },
    };
  }

  serialize(state: QuotaWithRolloverState): string {
    return `${state.w},${state.used},${state.carry}`;
  }

  parse(text: string): QuotaWithRolloverState {
    const [w, used, carry] = parseIntegers(this.name, text, 3) as [number, number, number];
    if (used < 0 || carry < 0) throw new TypeError(`${this.name}: stored state ${JSON.stringify(text)} is out of range`);
    return { w, used, carry };
  }
}
