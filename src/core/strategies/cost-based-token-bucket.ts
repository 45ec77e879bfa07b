import { ConfigurationError } from '../errors.js';
import { checkOptionNames, checkWholeNumber } from '../options.js';
import type { Rate } from '../rate.js';
import { ceilDiv, floorDiv } from './integer-math.js';
import { toPerMille } from './per-mille.js';
import { COST_BASED_TOKEN_BUCKET_LUA } from './cost-based-token-bucket.lua.js';
import type { LuaStep } from './lua-step.js';
import { parseIntegers, type StateDescription, type StepOutcome, type Strategy } from './strategy.js';

/**
 * Cost-based bucket state: backlog `y` (units scaled by P, as in the bucket
 * family) at time `last`, and `avg`, the recent average cost in thousandths
 * of a unit (1000 = an average cost of 1).
 */
export interface CostBasedTokenBucketState {
  readonly y: number;
  readonly last: number;
  readonly avg: number;
}

/** Options of `CostBasedTokenBucketStrategy`. */
export interface CostBasedTokenBucketOptions {
  /** Bucket capacity B in units (default: the rate's limit). */
  burstSize?: number;
  /** N: the average weighs the latest hit by 1/N (an exponential moving average over about N hits). 1-10000, default 10. */
  costWindow?: number;
  /** The refill never slows below this share of the rate. In (0, 1], at most 3 decimals, default 0.5. */
  minRefill?: number;
}

/**
 * Token bucket whose refill slows down while recent hits are expensive: a
 * caller who keeps sending costly operations gets their tokens back more
 * slowly than one sending cheap ones. Capacity B = `burstSize ?? L`; the
 * refill factor is `m = max(minRefill, min(1000, floor(1000000 / avg)))`
 * thousandths of L per period (`avg` = average cost in thousandths; an
 * average cost of 1 refills at the full rate, of 4 at a quarter, never below
 * `minRefill`). With `e = max(0, now - last)`:
 * - refresh: `y' = y - floor(e * L * m / 1000)` (the drain is floored to a
 *   whole scaled unit: at most 1/P token per hit is lost, never gained); once
 *   `e >= ceil(y * 1000 / (L * m))` the bucket is full again: `y' = 0` and the
 *   average is forgotten (`avg = 1000`), exactly as if the state had expired.
 * - allowed iff `c <= B` and `y' + c * P <= B * P`; then `y = y' + c * P`,
 *   `last = now` and `avg = floor((avg * (N - 1) + c * 1000) / N)`.
 * - `limit` = B; `remaining = floor((B * P - y) / P)`.
 * - denied: `retryAfterMs = ceil((y + c * P - B * P) * 1000 / (L * m)) - e`
 *   (exact: the first ms at which the refresh admits the hit); Infinity when
 *   `c > B`. `resetAfterMs = ceil(y * 1000 / (L * m)) - e` (0 when empty).
 * A fresh key has `y = 0`, `avg = 1000`.
 */
export class CostBasedTokenBucketStrategy implements Strategy<CostBasedTokenBucketState> {
  readonly name: string;
  /** The configured burst size, or undefined for "the rate's limit". */
  readonly burstSize: number | undefined;
  /** N of the moving average. */
  readonly costWindow: number;
  /** The slowest refill, in thousandths of the rate. */
  readonly minRefillPerMille: number;
  /** The Lua twin run by the Redis backend (cost-based-token-bucket.lua.ts): B, N and the slowest refill as params. */
  readonly lua: LuaStep | undefined = {
    source: COST_BASED_TOKEN_BUCKET_LUA.source,
    params: (rate: Rate) => [this.burstSize ?? rate.limit, this.costWindow, this.minRefillPerMille],
  };

  constructor(options: CostBasedTokenBucketOptions = {}) {
    const owner = 'CostBasedTokenBucketStrategy';
    checkOptionNames(owner, options, ['burstSize', 'costWindow', 'minRefill']);
    this.burstSize = options.burstSize === undefined ? undefined : checkWholeNumber(owner, 'burstSize', options.burstSize, 1);
    this.costWindow = checkWholeNumber(owner, 'costWindow', options.costWindow ?? 10, 1, 10_000);
    this.minRefillPerMille = toPerMille(owner, 'minRefill', options.minRefill ?? 0.5, 0.001, 1);
    this.name = `cost-bucket:${this.burstSize ?? 'L'}:${this.costWindow}:${this.minRefillPerMille}`;
  }

  /** The refill factor in thousandths for an average cost `avg` (thousandths). */
  refillPerMille(avg: number): number {
    return Math.max(this.minRefillPerMille, Math.min(1000, floorDiv(1_000_000, avg)));
  }

  step(state: CostBasedTokenBucketState | undefined, now: number, cost: number, rate: Rate): StepOutcome<CostBasedTokenBucketState> {
    const L = rate.limit;
    const P = rate.periodMs;
    const B = this.burstSize ?? L;
    const y = state?.y ?? 0;
    const avg = state?.avg ?? 1000;
    const last = state !== undefined && state.last > now ? state.last : now;
    const e = state === undefined ? 0 : Math.max(0, now - state.last);
    const speed = L * this.refillPerMille(avg); // thousandths of a scaled unit per ms
    const drainMs = ceilDiv(y * 1000, speed); // time for y to drain fully
    // A bucket that has drained completely forgets the average too (as the expired state would).
    const drained = e >= drainMs;
    const y0 = drained ? 0 : y - floorDiv(e * speed, 1000);
    const avg0 = drained ? 1000 : avg;
    if (cost <= B && y0 + cost * P <= B * P) {
      const after = y0 + cost * P;
      const nextAvg = cost === 0 ? avg0 : floorDiv(avg0 * (this.costWindow - 1) + cost * 1000, this.costWindow);
      const resetAfterMs = ceilDiv(after * 1000, L * this.refillPerMille(nextAvg));
      return {
        decision: { allowed: true, limit: B, remaining: floorDiv(B * P - after, P), retryAfterMs: 0, resetAfterMs, delayMs: 0 },
        state: cost === 0 && state !== undefined ? state : { y: after, last, avg: nextAvg },
        ttlMs: Math.max(1, resetAfterMs),
      };
    }
    const resetAfterMs = Math.max(0, drainMs - e);
    return {
      decision: {
        allowed: false, limit: B, remaining: Math.max(0, floorDiv(B * P - y0, P)),
        retryAfterMs: cost > B ? Infinity : ceilDiv((y + cost * P - B * P) * 1000, speed) - e,
        resetAfterMs, delayMs: 0,
      },
      state: state ?? { y: 0, last, avg },
      ttlMs: Math.max(1, resetAfterMs),
    };
  }

  validateRate(rate: Rate): void {
    const B = this.burstSize ?? rate.limit;
    if (!rate.unlimited && B * rate.periodMs * 2000 > 2 ** 53) {
      throw new ConfigurationError(
        `CostBasedTokenBucketStrategy: capacity ${B} x period ${rate.periodMs} ms is too large for exact arithmetic in thousandths (B * P must stay below 2^42)`,
      );
    }
  }

  /** Tokens, the recent average cost and the refill it gives. */
  describe(state: CostBasedTokenBucketState | undefined, now: number, rate: Rate): StateDescription {
    const d = this.step(state, now, 0, rate).decision;
    const avg = state === undefined || d.resetAfterMs === 0 ? 1000 : state.avg;
    const refillPerMille = this.refillPerMille(avg);
    return {
      summary: `${d.remaining} of ${d.limit} tokens; recent average cost ${avg / 1000}, refilling at ${refillPerMille / 10}% of the rate`,
      values: { tokens: d.remaining, limit: d.limit, averageCostPerMille: avg, refillPerMille },
    };
  }

  serialize(state: CostBasedTokenBucketState): string {
    return `${state.y},${state.last},${state.avg}`;
  }

  parse(text: string): CostBasedTokenBucketState {
    const [y, last, avg] = parseIntegers(this.name, text, 3) as [number, number, number];
    if (y < 0 || avg < 1000) throw new TypeError(`${this.name}: stored state ${JSON.stringify(text)} is out of range`);
    return { y, last, avg };
  }
}
