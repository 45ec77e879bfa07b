import { ConfigurationError, describeValue } from './errors.js';
import { stateSuffix } from './keys.js';
import { Rate, type RateLike } from './rate.js';
import type { AnyStrategy } from './strategies/strategy.js';

/** One rate or several (applied all-or-nothing). */
export type Rates = RateLike | readonly RateLike[];

/** A rate chosen per hit, from the key and the context passed to `hit`. */
export type RateFunction<Ctx> = (key: string, context: Ctx | undefined) => Rates | Promise<Rates>;

/** The limited rates of one hit ("0/0" dropped) and each one's storage key suffix. */
export interface ResolvedRates {
  readonly rates: Rate[];
  readonly suffixes: string[];
}

/**
 * A throttle's rates: fixed at construction (checked there), or chosen per
 * hit by a function (checked per value, the last 1,000 values cached).
 * Throws `ConfigurationError` naming the throttle and the bad rate.
 */
export class RateSet<Ctx> {
  /** The rates when they are fixed; undefined with a rate function. */
  readonly fixed: ResolvedRates | undefined;
  private readonly pick: RateFunction<Ctx> | undefined;
  private readonly cache = new Map<string, ResolvedRates>();

  constructor(
    private readonly owner: string,
    private readonly strategy: AnyStrategy,
    rate: Rates | RateFunction<Ctx>,
  ) {
    if (typeof rate === 'function') this.pick = rate;
    else this.fixed = this.build(rate);
  }

  /** The rates for one hit: the fixed ones, or what the rate function gives for (key, context). */
  async resolve(key: string, context: Ctx | undefined): Promise<ResolvedRates> {
    if (this.fixed !== undefined) return this.fixed;
    const value = await this.pick!(key, context);
    const cacheKey = Array.isArray(value) ? value.map(String).join('|') : String(value);
    let resolved = this.cache.get(cacheKey);
    if (resolved === undefined) {
      resolved = this.build(value as Rates);
      if (this.cache.size >= 1000) this.cache.clear();
      this.cache.set(cacheKey, resolved);
    }
    return resolved;
  }

  private build(value: Rates): ResolvedRates {
    const list = (Array.isArray(value) ? value : [value]) as RateLike[];
    if (list.length === 0) throw new ConfigurationError(`${this.owner}: rate must name at least one rate`);
    const rates: Rate[] = [];
    for (const item of list) {
      let rate: Rate;
      try {
        rate = Rate.from(item);
      } catch (error) {
        throw new ConfigurationError(`${this.owner}: ${(error as Error).message}`);
      }
      if (rate.unlimited) continue;
      if (rates.some((r) => r.equals(rate))) {
        throw new ConfigurationError(`${this.owner}: rate ${describeValue(String(item))} is given twice`);
      }
      this.strategy.validateRate?.(rate);
      rates.push(rate);
    }
    if (rates.length > 0) this.strategy.validateRates?.(rates);
    return { rates, suffixes: rates.map((rate) => stateSuffix(this.strategy.name, rate)) };
  }
}
