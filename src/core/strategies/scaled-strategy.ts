import { ConfigurationError, describeValue } from '../errors.js';
import { greatestCommonDivisor, type Rate } from '../rate.js';
import { isLeaseStrategy, type LeaseStrategy } from './concurrency-limit.js';
import { FixedWindowStrategy } from './fixed-window.js';
import { ceilDiv } from './integer-math.js';
import type { LuaStep } from './lua-step.js';
import { scaleRate } from './per-mille.js';
import { scaledLua } from './scaled-strategy.lua.js';
import type { AnyStrategy, StateDescription, StepArgs, StepOp, StepOutcome, Strategy } from './strategy.js';

const NO_ARGS: StepArgs = [];

/**
 * Base of the wrappers that scale any strategy's limit (`TieredStrategy`,
 * `TimeOfDayStrategy`): each hit runs the base strategy's own step with the
 * rate `max(1, floor(L * f / 1000))` per the same period, where `f` (in
 * thousandths) is chosen per hit. State, storage and serialization are the
 * base's, shared by every factor (a caller whose tier changes keeps their
 * count). Only the rate's limit is scaled: fixed sizes in units given to the
 * base (a `burstSize`) stay as they are. The base's per-hit args follow the
 * wrapper's own `ownArgs` leading ones; a lease strategy (concurrency limit)
 * stays one, so `Throttle.acquire` works through the wrapper.
 *
 * The stored state is kept `ceil(ttl * L_f / L_min)` ms (`L_f` the scaled
 * limit of this hit, `L_min` that of the smallest factor the wrapper may
 * use), so that no state a slower factor still needs is dropped early: a
 * bucket filled at a fast rate drains slower once the factor drops.
 *
 * Charge and refund go to the base, under the scaled rate, when the base
 * supports them (`supportsChargeAndRefund` follows the base).
 */
export abstract class ScaledStrategy implements Strategy<unknown> {
  abstract readonly name: string;
  /** The wrapped strategy. */
  readonly base: AnyStrategy;
  /** Set when the base is a lease strategy: acquire args for `Throttle.acquire`. */
  readonly acquireArgs?: LeaseStrategy['acquireArgs'];
  /** Set when the base is a lease strategy: release args for `Throttle.acquire`. */
  readonly releaseArgs?: LeaseStrategy['releaseArgs'];
  private slowest: number | undefined;
  /** Per rate: each factor's scaled rate, all reduced by one common divisor (see `scaled`). */
  private readonly sharedUnits = new WeakMap<Rate, Map<number, Rate>>();
  private luaStep: LuaStep | undefined | null = null;
  /** How many leading step args are the wrapper's own. */
  protected abstract readonly ownArgs: number;

  /**
   * Per-hit args: the wrapper's own (a tier index) followed by the base's;
   * undefined when neither has any, so hits carry no args at all.
   */
  readonly argsFor: ((key: string, context: unknown) => StepArgs) | undefined;

  /** `ownsArgs`: whether the subclass adds leading args of its own (`ownArgs` > 0). */
  constructor(owner: string, base: AnyStrategy | undefined, ownsArgs: boolean) {
    const strategy: AnyStrategy = base ?? new FixedWindowStrategy();
    if (strategy === null || typeof strategy !== 'object' || typeof strategy.step !== 'function' || typeof strategy.name !== 'string') {
      throw new ConfigurationError(`${owner}: base must implement the Strategy interface, got ${describeValue(base)}`);
    }
    this.base = strategy;
    this.argsFor = ownsArgs || strategy.argsFor !== undefined ? (key, context) => this.wrapArgs(key, context) : undefined;
    if (isLeaseStrategy(strategy)) {
      this.acquireArgs = (leaseId, context, key = '') => [...this.argsOwn(key, context), ...strategy.acquireArgs(leaseId, context, key)];
      this.releaseArgs = (leaseId, context, key = '') => [...this.argsOwn(key, context), ...strategy.releaseArgs(leaseId, context, key)];
    }
  }

  /** The wrapper's own leading args for a hit (`ownArgs` of them). */
  protected abstract argsOwn(key: string, context: unknown): StepArgs;
  /** The scale factor in thousandths for this hit. */
  protected abstract factorAt(now: number, own: StepArgs): number;
  /** Every factor this wrapper may use (to validate rates). */
  protected abstract factors(): readonly number[];
  /**
   * The factor of each Lua slot, and for hour-driven wrappers the hour ranges
   * `[from, to, slot]` that pick a slot (empty when the slot is args[0], a tier).
   */
  protected abstract luaSlots(): { factors: readonly number[]; ranges: readonly (readonly [number, number, number])[] };
  /** The UTC offset the Lua twin uses to find the hour (minutes; 0 when slots are tiers). */
  protected luaOffsetMinutes(): number {
    return 0;
  }

  /**
   * The Lua twin (scaled-strategy.lua.ts) around the base's own, so Redis
   * runs the wrapper in one script; undefined when the base has none (then
   * Redis uses its compare-and-set path).
   */
  get lua(): LuaStep | undefined {
    if (this.luaStep === null) {
      const baseLua = this.base.lua;
      this.luaStep = baseLua === undefined ? undefined : {
        source: scaledLua(baseLua).source,
        params: (rate: Rate) => {
          const { factors, ranges } = this.luaSlots();
          const count = baseLua.params?.(rate).length ?? 0;
          const out = [factors.length, this.ownArgs, this.luaOffsetMinutes(), this.slowestFactor(), count, ranges.length];
          for (const range of ranges) out.push(...range);
          for (const factor of factors) out.push(factor, ...(baseLua.params?.(this.scaled(rate, factor)) ?? []));
          return out;
        },
      };
    }
    return this.luaStep;
  }

  /** The wrapper's own args (if any) followed by the base's. */
  private wrapArgs(key: string, context: unknown): StepArgs {
    const baseArgs = this.base.argsFor?.(key, context) ?? NO_ARGS;
    const own = this.argsOwn(key, context);
    return own.length === 0 ? baseArgs : [...own, ...baseArgs];
  }

  /** True when the base implements `'charge'` and `'refund'`: the wrapper forwards them. */
  get supportsChargeAndRefund(): boolean {
    return this.base.supportsChargeAndRefund === true;
  }

  step(state: unknown, now: number, cost: number, rate: Rate, args: StepArgs = NO_ARGS, op: StepOp = 'hit'): StepOutcome<unknown> {
    const own = this.ownArgs === 0 ? NO_ARGS : args.slice(0, this.ownArgs);
    const rest = this.ownArgs === 0 ? args : args.slice(this.ownArgs);
    const scaled = this.scaled(rate, this.factorAt(now, own));
    let outcome = this.base.step(state, now, cost, scaled, rest, op);
    const { decision } = outcome;
    if (decision.remaining < 0 || (cost === 0 && !decision.allowed)) {
      // A state from a larger factor may hold more than this one's limit: report 0 left, and keep
      // cost 0 always allowed (it changes nothing).
      const allowed = decision.allowed || cost === 0;
      outcome = { ...outcome, decision: { ...decision, allowed, remaining: Math.max(0, decision.remaining), retryAfterMs: allowed ? 0 : decision.retryAfterMs } };
    }
    const slowest = scaleRate(rate, this.slowestFactor()).limit;
    if (scaled.limit === slowest) return outcome;
    // Keep the state as long as the slowest limit would need to make it fresh again.
    return { ...outcome, ttlMs: ceilDiv(outcome.ttlMs * scaled.limit, slowest) };
  }

  /**
   * `rate` scaled by `factor`, reduced by the gcd of the period and every
   * factor's scaled limit rather than its own gcd: the base's state is
   * shared by all factors, so its units (a bucket's P / g) must not change
   * with the factor. Cached per rate.
   */
  protected scaled(rate: Rate, factor: number): Rate {
    let byFactor = this.sharedUnits.get(rate);
    if (byFactor === undefined) {
      byFactor = new Map();
      const factors = [...new Set([...this.factors(), ...this.luaSlots().factors])];
      let divisor = rate.periodMs;
      for (const f of factors) divisor = greatestCommonDivisor(scaleRate(rate, f).limit, divisor);
      for (const f of factors) byFactor.set(f, scaleRate(rate, f).withDivisor(divisor));
      this.sharedUnits.set(rate, byFactor);
    }
    return byFactor.get(factor) ?? scaleRate(rate, factor);
  }

  /** The smallest factor this wrapper may use. */
  private slowestFactor(): number {
    this.slowest ??= Math.min(...this.factors());
    return this.slowest;
  }

  /** Forwards the whole list of rates to the base's own check. */
  validateRates(rates: readonly Rate[]): void {
    this.base.validateRates?.(rates);
  }

  validateRate(rate: Rate): void {
    for (const factor of this.factors()) {
      let scaled: Rate;
      try {
        scaled = this.scaled(rate, factor);
      } catch (error) {
        throw new ConfigurationError(`${this.name}: rate ${rate.limit}/${rate.periodMs}ms scaled by ${factor / 1000}: ${(error as Error).message}`);
      }
      this.base.validateRate?.(scaled);
    }
  }

  /**
   * The base's description under the limit scaled for `now` (the default
   * tier for `TieredStrategy`), with the factor; for a base without
   * `describe`, the scaled limit only.
   */
  describe(state: unknown, now: number, rate: Rate): StateDescription {
    const factor = this.factorAt(now, this.ownArgs === 0 ? NO_ARGS : [this.defaultSlot()]);
    const scaled = this.scaled(rate, factor);
    const base = this.base.describe?.(state, now, scaled) ?? { summary: `limit ${scaled.limit}`, values: {} };
    return {
      summary: `x${factor / 1000}: ${base.summary}`,
      values: { ...base.values, factorPerMille: factor, scaledLimit: scaled.limit },
    };
  }

  /** The slot `describe` assumes when the slot comes from args (the default tier). */
  protected defaultSlot(): number {
    return 0;
  }

  serialize(state: unknown): string {
    return this.base.serialize(state);
  }

  parse(text: string): unknown {
    return this.base.parse(text);
  }
}
