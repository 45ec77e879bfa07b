import { ConfigurationError, describeValue } from '../errors.js';
import { checkOptionNames, checkWholeNumber } from '../options.js';
import type { Rate } from '../rate.js';
import { backlogTime, drainBacklog, parseBacklog, type BacklogState } from './backlog.js';
import { ceilDiv, floorDiv } from './integer-math.js';
import { toPerMille } from './per-mille.js';
import type { LuaStep } from './lua-step.js';
import { PRIORITY_LUA } from './priority.lua.js';
import { checkExactProduct } from './exact-arithmetic.js';
import type { StateDescription, StepArgs, StepOp, StepOutcome, Strategy } from './strategy.js';

/** Options of `PriorityStrategy`. */
export interface PriorityOptions {
  /**
   * The share of the budget each priority level may use, highest priority
   * first: `[1, 0.8, 0.5]` lets level 0 use all of it, level 1 the first 80%,
   * level 2 the first 50%. Each in (0, 1], at most 3 decimals, never rising
   * from one level to the next. Default `[1, 0.8, 0.5]`.
   */
  shares?: readonly number[];
  /** Bucket capacity B in units (default: the rate's limit), as `TokenBucketStrategy`. */
  burstSize?: number;
  /**
   * The hit's priority level (0 = highest) from its key and context; called
   * once per hit. Default: `context.priority` when it is a whole number,
   * else the lowest level. A level outside the shares rejects the hit with a
   * `ConfigurationError`; whatever this throws rejects the hit too.
   */
  priorityOf?: (key: string, context: unknown) => number;
}

const DEFAULT_SHARES = [1, 0.8, 0.5] as const;

/**
 * Priority: one shared token bucket (capacity B = `burstSize ?? L`, refilled
 * at L per period; SEMANTICS.md's scaled backlog `y`) where a lower priority
 * may use only a share of it, so the rest stays for higher priorities (a
 * load shedder that keeps the last 20% for critical traffic). Level p with
 * share `s_p` (thousandths) has the capacity `K_p = floor(B * s_p / 1000)`
 * units, and with `y' = max(0, y - (now - last) * L)` (L and P reduced by
 * gcd(L, P), as the bucket family does):
 * - allowed iff `c = 0` or `y' + c * P <= K_p * P`; then `y = y' + c * P`. Every level
 *   fills the same backlog: low-priority traffic uses up the shared budget
 *   but never the part above its share.
 * - `limit` = B; `remaining` = `max(0, floor((K_p * P - y) / P))` for this
 *   hit's level; `resetAfterMs = ceil(y / L)`.
 * - denied: `retryAfterMs = ceil((y' + c * P - K_p * P) / L)`; Infinity when
 *   `c > K_p`.
 * Not a separate budget per priority: all levels share one state per key.
 * Charge adds `c * P` to the shared backlog even past every level's
 * capacity; refund takes back up to `c * P`. Both are allowed whatever the
 * level. A denial holds until its retry time for hits of the same level.
 */
export class PriorityStrategy implements Strategy<BacklogState> {
  readonly name: string;
  /** Each level's share in thousandths, highest priority first. */
  readonly sharesPerMille: readonly number[];
  /** The configured burst size, or undefined for "the rate's limit". */
  readonly burstSize: number | undefined;
  private readonly priorityOf: ((key: string, context: unknown) => number) | undefined;
  /** Implements the `'charge'` and `'refund'` ops. */
  readonly supportsChargeAndRefund = true;
  /** The shared backlog only drains with time: a denial at a level holds until its retry time. */
  readonly denialsHoldUntilRetry = true;
  /** The Lua twin run by the Redis backend (priority.lua.ts): B and each level's capacity as params. */
  readonly lua: LuaStep | undefined = {
    source: PRIORITY_LUA.source,
    params: (rate: Rate) => [
      this.burstSize ?? rate.limit, rate.reducedLimit, rate.reducedPeriodMs, ...this.sharesPerMille.map((_, level) => this.capacityOf(level, rate)),
    ],
  };

  constructor(options: PriorityOptions = {}) {
    checkOptionNames('PriorityStrategy', options, ['shares', 'burstSize', 'priorityOf']);
    const { shares = DEFAULT_SHARES, priorityOf } = options;
    if (!Array.isArray(shares) || shares.length === 0) {
      throw new ConfigurationError(`PriorityStrategy: shares must be a non-empty array such as [1, 0.8, 0.5], got ${describeValue(shares)}`);
    }
    this.sharesPerMille = shares.map((share, i) => toPerMille('PriorityStrategy', `shares[${i}]`, share, 0.001, 1));
    for (let i = 1; i < this.sharesPerMille.length; i++) {
      if (this.sharesPerMille[i]! > this.sharesPerMille[i - 1]!) {
        throw new ConfigurationError(`PriorityStrategy: shares[${i}] (${String(shares[i])}) is larger than shares[${i - 1}] (${String(shares[i - 1])}); a lower priority may not get more`);
      }
    }
    this.burstSize = options.burstSize === undefined ? undefined : checkWholeNumber('PriorityStrategy', 'burstSize', options.burstSize, 1);
    if (priorityOf !== undefined && typeof priorityOf !== 'function') {
      throw new ConfigurationError(`PriorityStrategy: priorityOf must be a function, got ${describeValue(priorityOf)}`);
    }
    this.priorityOf = priorityOf;
    this.name = `priority:${this.burstSize ?? 'L'}:${this.sharesPerMille.join('/')}`;
  }

  /** The hit's level as step args: `[level]`. */
  argsFor(key: string, context: unknown): StepArgs {
    let level: unknown;
    if (this.priorityOf !== undefined) level = this.priorityOf(key, context);
    else {
      const given = (context as { priority?: unknown } | null | undefined)?.priority;
      level = Number.isInteger(given) ? given : this.sharesPerMille.length - 1;
    }
    if (typeof level !== 'number' || !Number.isInteger(level) || level < 0 || level >= this.sharesPerMille.length) {
      throw new ConfigurationError(`PriorityStrategy: priority must be a whole number from 0 to ${this.sharesPerMille.length - 1}, got ${describeValue(level)}`);
    }
    return [level];
  }

  /** Level p's capacity in units: `floor(B * s_p / 1000)`. */
  capacityOf(level: number, rate: Rate): number {
    const B = this.burstSize ?? rate.limit;
    return floorDiv(B * this.sharesPerMille[level]!, 1000);
  }

  step(state: BacklogState | undefined, now: number, cost: number, rate: Rate, args?: StepArgs, op: StepOp = 'hit'): StepOutcome<BacklogState> {
    const L = rate.reducedLimit;
    const P = rate.reducedPeriodMs;
    const level = args?.[0] === undefined ? this.sharesPerMille.length - 1 : Number(args[0]);
    if (!Number.isInteger(level) || level < 0 || level >= this.sharesPerMille.length) {
      throw new TypeError(`PriorityStrategy: step args hold level ${describeValue(args?.[0])}, not one of 0..${this.sharesPerMille.length - 1}`);
    }
    const B = this.burstSize ?? rate.limit;
    const K = floorDiv(B * this.sharesPerMille[level]!, 1000);
    const y0 = drainBacklog(state, now, L);
    const last = backlogTime(state, now);
    // Times count from the real now: a clock that stepped back waits until `last` too.
    const ahead = last - now;
    if (cost === 0 || op !== 'hit' || (cost <= K && y0 + cost * P <= K * P)) {
      const y = op === 'refund' ? Math.max(0, y0 - cost * P) : Math.min(Number.MAX_SAFE_INTEGER, y0 + cost * P);
      const resetAfterMs = ahead + ceilDiv(y, L);
      return {
        decision: { allowed: true, limit: B, remaining: Math.max(0, floorDiv(K * P - y, P)), retryAfterMs: 0, resetAfterMs, delayMs: 0 },
        state: { y, last },
        ttlMs: Math.max(1, resetAfterMs),
      };
    }
    const resetAfterMs = ahead + ceilDiv(y0, L);
    return {
      decision: {
        allowed: false, limit: B, remaining: Math.max(0, floorDiv(K * P - y0, P)),
        retryAfterMs: cost > K ? Infinity : ahead + ceilDiv(y0 + cost * P - K * P, L),
        resetAfterMs, delayMs: 0,
      },
      state: { y: y0, last },
      ttlMs: Math.max(1, resetAfterMs),
    };
  }

  validateRate(rate: Rate): void {
    const B = this.burstSize ?? rate.limit;
    checkExactProduct('PriorityStrategy', rate, 'burst size x period / gcd(limit, period)', B * rate.reducedPeriodMs);
    const lowest = this.sharesPerMille.length - 1;
    if (this.capacityOf(lowest, rate) === 0) {
      throw new ConfigurationError(`PriorityStrategy: share ${this.sharesPerMille[lowest]! / 1000} of a budget of ${B} is less than one unit for level ${lowest}; raise the share or the rate`);
    }
  }

  /** The shared bucket's tokens and what each level may still take. */
  describe(state: BacklogState | undefined, now: number, rate: Rate): StateDescription {
    const values: Record<string, number> = {};
    const levels: string[] = [];
    const B = this.burstSize ?? rate.limit;
    this.sharesPerMille.forEach((_, level) => {
      const d = this.step(state, now, 0, rate, [level]).decision;
      values[`remainingLevel${level}`] = d.remaining;
      levels.push(`level ${level}: ${d.remaining}`);
    });
    const tokens = values['remainingLevel0'] ?? 0;
    return { summary: `${tokens} of ${B} tokens in the shared bucket; left per level: ${levels.join(', ')}`, values: { tokens, limit: B, ...values } };
  }

  serialize(state: BacklogState): string {
    return `${state.y},${state.last}`;
  }

  parse(text: string): BacklogState {
    return parseBacklog(this.name, text);
  }
}
