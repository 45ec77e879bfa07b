import { ConfigurationError, describeValue } from '../errors.js';
import { checkWholeNumber } from '../options.js';
import type { Rate } from '../rate.js';

/**
 * A strategy option in units or ms (a burst size, a queue size, a debt, a
 * burst tolerance) given once for every rate, or per rate as a function of
 * the rate: `burstSize: (rate) => (rate.limit === 10 ? 20 : rate.limit)`.
 * The function is called when a rate is checked at construction, and again
 * for each rate a hit uses (keep it pure and cheap); what it returns must be
 * a whole number in the option's range, or the throttle's construction fails
 * with a `ConfigurationError` naming the option and the rate. Whatever it
 * throws fails construction too.
 */
export type PerRateOption = number | ((rate: Rate) => number);

/**
 * Checks a `PerRateOption` at construction: a whole number >= `min`, a
 * function, or undefined (the strategy's default). Throws `ConfigurationError`
 * naming the option otherwise.
 */
export function checkPerRateOption(owner: string, name: string, value: unknown, min: number): PerRateOption | undefined {
  if (value === undefined || typeof value === 'function') return value as PerRateOption | undefined;
  return checkWholeNumber(owner, name, value, min);
}

/** The option's value for `rate` (`fallback` when unset). Does not check a function's result: `checkResolvedOption` does, at construction. */
export function resolvePerRate(option: PerRateOption | undefined, rate: Rate, fallback: number): number {
  if (option === undefined) return fallback;
  return typeof option === 'number' ? option : option(rate);
}

/**
 * Resolves the option for `rate` at construction and checks the result is a
 * whole number >= `min`, naming the option and the rate otherwise.
 */
export function checkResolvedOption(owner: string, name: string, option: PerRateOption | undefined, rate: Rate, min: number): void {
  if (typeof option !== 'function') return;
  const value = option(rate);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > Number.MAX_SAFE_INTEGER) {
    throw new ConfigurationError(`${owner}: ${name}(rate ${rate.limit}/${rate.periodMs}ms) must return a whole number >= ${min}, got ${describeValue(value)}`);
  }
}

/**
 * The multi-rate guard for a size that caps a bucket (burst or queue size): a
 * single number below the limit of one of several rates would silently cap
 * that (longer) rate's bucket below its own limit, e.g. `burstSize: 20` with
 * `['10/second', '1000/hour']` would let the hourly bucket hold only 20.
 * Throws `ConfigurationError` naming the fix (a function of the rate) then.
 * One rate, a function, or a number >= every limit pass.
 */
export function checkSizeAcrossRates(owner: string, name: string, option: PerRateOption | undefined, rates: readonly Rate[]): void {
  if (typeof option !== 'number' || rates.length < 2) return;
  const capped = rates.find((rate) => option < rate.limit);
  if (capped === undefined) return;
  const smallest = Math.min(...rates.map((rate) => rate.limit));
  throw new ConfigurationError(
    `${owner}: ${name} ${option} is below the limit of rate ${capped.limit}/${capped.periodMs}ms, and one number applies to every rate:` +
      ` that bucket could never hold its own limit. Give ${name} per rate, e.g. ${name}: (rate) => (rate.limit === ${smallest} ? ${option} : rate.limit)`,
  );
}
