import { ConfigurationError, describeValue } from '../errors.js';
import { checkOptionNames } from '../options.js';
import type { Rate } from '../rate.js';
import { ceilDiv, floorDiv } from './integer-math.js';
import { toPerMille } from './per-mille.js';
import { ADAPTIVE_LUA } from './adaptive.lua.js';
import type { LuaStep } from './lua-step.js';
import { parseIntegers, type StateDescription, type StepArgs, type StepOp, type StepOutcome, type Strategy } from './strategy.js';

/** Adaptive state: `n` units admitted in window `w` under the effective limit `eff`. */
export interface AdaptiveState {
  readonly w: number;
  readonly n: number;
  readonly eff: number;
}

/** The wait until a window admits `units`, when the next window's limit is `next` and it recovers by `inc` per window. */
function waitFor(units: number, next: number, inc: number, windowEnd: number, P: number): number {
  return units <= next ? windowEnd : windowEnd + ceilDiv(units - next, inc) * P;
}

/** Options of `AdaptiveStrategy`. Fractions are kept in thousandths (at most 3 decimals). */
export interface AdaptiveOptions {
  /** Usage of the window (n / effective limit) above which the limit shrinks. In (0, 1], default 0.8. Ignored with `signal`. */
  loadThreshold?: number;
  /** The limit is multiplied by this when overloaded. In (0, 1), default 0.6. */
  reductionFactor?: number;
  /** Share of L recovered per window while not overloaded. In (0, 1], default 0.1 (at least 1 unit). */
  recoveryRate?: number;
  /** The limit never goes below this share of L (at least 1 unit). In (0, 1], default 0.3. */
  minLimitRatio?: number;
  /**
   * A load signal of your own instead of the window's usage (for example the
   * event-loop delay in ms), read once per hit; the hit's value decides when
   * it is the first hit of a new window. Must return a finite number (it is
   * floored); throwing rejects the hit. Needs `signalThreshold`.
   */
  signal?: (key: string, context: unknown) => number;
  /** The limit shrinks while `signal` is above this (same units as the signal). */
  signalThreshold?: number;
}

/**
 * Adaptive limit: a fixed window (epoch-aligned, `w = floor(now / P)`) whose
 * limit `eff` shrinks multiplicatively while the load is high and recovers
 * additively while it is not (AIMD). With `minL = max(1, floor(L * min /
 * 1000))`, `inc = max(1, floor(L * recovery / 1000))` (all factors in
 * thousandths):
 * - A fresh key has `eff = L`. At the first hit of a later window (`k >= 1`
 *   windows after the stored one) the limit is adjusted once for the window
 *   that ended, then recovers for the `k - 1` idle ones:
 *   overloaded ? `eff = max(minL, floor(eff * reduction / 1000))`
 *   : `eff = min(L, eff + inc)`; then `eff = min(L, eff + (k - 1) * inc)`.
 *   Overloaded means `n * 1000 > threshold * eff` (the ended window's usage,
 *   default), or `signal > signalThreshold` (the hit's own signal value).
 * - allowed iff `n + c <= eff`; then `n += c`.
 * - `limit` = the current `eff`; `remaining = eff - n`.
 * - denied: with `next` = the limit the next window will have if nothing else
 *   arrives (a user signal is assumed below its threshold), `retryAfterMs`
 *   = time to the next window if `c <= next`, else plus
 *   `ceil((c - next) / inc)` more windows; Infinity when `c > L`.
 * - `resetAfterMs`: until `eff` is back to L with an empty window (0 when it
 *   already is), computed the same way, except that a user signal is assumed
 *   above its threshold at the next window (so a state kept until then and a
 *   fresh key decide alike, whatever the signal); the state is kept that long.
 * A denied hit changes nothing (its adjustment is recomputed next time).
 */
export class AdaptiveStrategy implements Strategy<AdaptiveState> {
  readonly name: string;
  /** Thresholds and factors in thousandths. */
  readonly thresholdPerMille: number;
  readonly reductionPerMille: number;
  readonly recoveryPerMille: number;
  readonly minLimitPerMille: number;
  /** The user signal's threshold (floored), when a signal is given. */
  readonly signalThreshold: number | undefined;
  private readonly signal: ((key: string, context: unknown) => number) | undefined;
  /** With a user signal: `[floor(signal(key, context))]` per hit. Without: undefined (no per-hit args). */
  readonly argsFor: ((key: string, context: unknown) => StepArgs) | undefined;
  /** The Lua twin run by the Redis backend (adaptive.lua.ts). */
  /**
   * Implements the `'charge'` and `'refund'` ops on the window's count (a charge counts
   * toward the load that shrinks the limit). Denials are not remembered: the limit moves with load.
   */
  readonly supportsChargeAndRefund = true;
  readonly lua: LuaStep | undefined = {
    source: ADAPTIVE_LUA.source,
    params: (rate: Rate) => [
      Math.max(1, floorDiv(rate.limit * this.minLimitPerMille, 1000)), Math.max(1, floorDiv(rate.limit * this.recoveryPerMille, 1000)),
      this.thresholdPerMille, this.reductionPerMille, this.signal === undefined ? 0 : 1, this.signalThreshold ?? 0,
    ],
  };

  constructor(options: AdaptiveOptions = {}) {
    const owner = 'AdaptiveStrategy';
    checkOptionNames(owner, options, ['loadThreshold', 'reductionFactor', 'recoveryRate', 'minLimitRatio', 'signal', 'signalThreshold']);
    this.thresholdPerMille = toPerMille(owner, 'loadThreshold', options.loadThreshold ?? 0.8, 0.001, 1);
    this.reductionPerMille = toPerMille(owner, 'reductionFactor', options.reductionFactor ?? 0.6, 0.001, 0.999);
    this.recoveryPerMille = toPerMille(owner, 'recoveryRate', options.recoveryRate ?? 0.1, 0.001, 1);
    this.minLimitPerMille = toPerMille(owner, 'minLimitRatio', options.minLimitRatio ?? 0.3, 0.001, 1);
    const { signal, signalThreshold } = options;
    if (signal !== undefined && typeof signal !== 'function') {
      throw new ConfigurationError(`${owner}: signal must be a function returning a number, got ${describeValue(signal)}`);
    }
    if ((signal === undefined) !== (signalThreshold === undefined)) {
      throw new ConfigurationError(`${owner}: signal and signalThreshold go together, got ${signal === undefined ? 'only signalThreshold' : 'only signal'}`);
    }
    if (signalThreshold !== undefined && (typeof signalThreshold !== 'number' || !Number.isFinite(signalThreshold))) {
      throw new ConfigurationError(`${owner}: signalThreshold must be a finite number, got ${describeValue(signalThreshold)}`);
    }
    this.signal = signal;
    this.argsFor = signal === undefined ? undefined : (key, context) => {
      const value = signal(key, context);
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new ConfigurationError(`AdaptiveStrategy: signal must return a finite number, got ${describeValue(value)}`);
      }
      return [Math.floor(value)];
    };
    this.signalThreshold = signalThreshold === undefined ? undefined : Math.floor(signalThreshold);
    const mode = signal === undefined ? `u${this.thresholdPerMille}` : `s${this.signalThreshold}`;
    this.name = `adaptive:${mode}:${this.reductionPerMille}:${this.recoveryPerMille}:${this.minLimitPerMille}`;
  }


  step(state: AdaptiveState | undefined, now: number, cost: number, rate: Rate, args?: StepArgs, op: StepOp = 'hit'): StepOutcome<AdaptiveState> {
    const L = rate.limit;
    const P = rate.periodMs;
    const minL = Math.max(1, floorDiv(L * this.minLimitPerMille, 1000));
    const inc = Math.max(1, floorDiv(L * this.recoveryPerMille, 1000));
    const w = floorDiv(now, P);
    let n = 0;
    let eff = L;
    if (state !== undefined && state.w >= w) {
      n = state.n;
      eff = state.eff;
    } else if (state !== undefined) {
      const signalHigh = this.signal !== undefined && this.signalValue(args) > this.signalThreshold!;
      eff = Math.min(L, this.adjust(state.n, state.eff, L, minL, inc, signalHigh) + (w - state.w - 1) * inc);
    }
    const windowEnd = (w + 1) * P - now;
    if (cost === 0 || n + cost <= eff || op !== 'hit') {
      const after = op === 'refund' ? Math.max(0, n - cost) : Math.min(Number.MAX_SAFE_INTEGER, n + cost);
      const resetAfterMs = this.resetAfter(after, eff, L, minL, inc, windowEnd, P);
      return {
        decision: { allowed: true, limit: eff, remaining: Math.max(0, eff - after), retryAfterMs: 0, resetAfterMs, delayMs: 0 },
        state: { w, n: after, eff },
        ttlMs: Math.max(1, resetAfterMs),
      };
    }
    const resetAfterMs = this.resetAfter(n, eff, L, minL, inc, windowEnd, P);
    // The next window's limit if nothing else arrives (a user signal assumed calm).
    const next = this.signal === undefined ? this.adjust(n, eff, L, minL, inc, false) : Math.min(L, eff + inc);
    return {
      decision: {
        allowed: false, limit: eff, remaining: Math.max(0, eff - n),
        retryAfterMs: cost > L ? Infinity : waitFor(cost, next, inc, windowEnd, P),
        resetAfterMs, delayMs: 0,
      },
      state: { w, n, eff },
      ttlMs: Math.max(1, resetAfterMs),
    };
  }

  /**
   * Until the key is as good as fresh (eff back to L, empty window). With a
   * user signal the next window may shrink (assume it does), so that a state
   * kept that long and a fresh key decide alike whatever the signal.
   */
  private resetAfter(count: number, eff: number, L: number, minL: number, inc: number, windowEnd: number, P: number): number {
    if (count === 0 && eff === L) return 0;
    const next = this.signal === undefined ? this.adjust(count, eff, L, minL, inc, false) : this.adjust(0, eff, L, minL, inc, true);
    return waitFor(L, next, inc, windowEnd, P);
  }

  /** The limit after a window that admitted `n` under `eff`; `signalHigh` decides instead of the usage when a user signal is set. */
  private adjust(n: number, eff: number, L: number, minL: number, inc: number, signalHigh: boolean): number {
    const overloaded = this.signal === undefined ? n * 1000 > this.thresholdPerMille * eff : signalHigh;
    return overloaded ? Math.max(minL, floorDiv(eff * this.reductionPerMille, 1000)) : Math.min(L, eff + inc);
  }

  private signalValue(args: StepArgs | undefined): number {
    const value = Number(args?.[0]);
    if (!Number.isFinite(value)) throw new TypeError(`AdaptiveStrategy: step args hold signal ${describeValue(args?.[0])}, not a number`);
    return value;
  }

  validateRate(rate: Rate): void {
    if (!rate.unlimited && rate.limit * 1000 > 2 ** 53) {
      throw new ConfigurationError(`AdaptiveStrategy: limit ${rate.limit} is too large for exact arithmetic in thousandths (at most 2^53 / 1000)`);
    }
  }

  /** The effective limit now, the window's count and when it ends. */
  describe(state: AdaptiveState | undefined, now: number, rate: Rate): StateDescription {
    const d = this.step(state, now, 0, rate, this.signalThreshold === undefined ? [] : [this.signalThreshold]).decision;
    const windowEndsInMs = (floorDiv(now, rate.periodMs) + 1) * rate.periodMs - now;
    const count = d.limit - d.remaining;
    return {
      summary: `effective limit ${d.limit} of ${rate.limit}; ${count} used in this window (${d.remaining} left), which ends in ${windowEndsInMs} ms`,
      values: { effectiveLimit: d.limit, baseLimit: rate.limit, count, remaining: d.remaining, windowEndsInMs },
    };
  }

  serialize(state: AdaptiveState): string {
    return `${state.w},${state.n},${state.eff}`;
  }

  parse(text: string): AdaptiveState {
    const [w, n, eff] = parseIntegers(this.name, text, 3) as [number, number, number];
    if (n < 0 || eff < 1) throw new TypeError(`${this.name}: stored state ${JSON.stringify(text)} is out of range`);
    return { w, n, eff };
  }
}
