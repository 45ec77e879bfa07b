import { ConfigurationError, describeValue } from '../errors.js';
import { Rate } from '../rate.js';
import { floorDiv } from './integer-math.js';

/**
 * Turns a fraction or multiplier given as a number (`0.8`, `2.5`) into a whole
 * number of thousandths (`800`, `2500`), so strategies scale with integer
 * arithmetic only. Throws `ConfigurationError` naming the option when the
 * value is not finite, has more than three decimals, or is outside [min, max].
 */
export function toPerMille(owner: string, name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigurationError(`${owner}: ${name} must be a number between ${min} and ${max}, got ${describeValue(value)}`);
  }
  const perMille = Math.round(value * 1000);
  if (Math.abs(value * 1000 - perMille) > 1e-6) {
    throw new ConfigurationError(`${owner}: ${name} must have at most 3 decimals (it is kept in thousandths), got ${describeValue(value)}`);
  }
  return perMille;
}

/** `max(1, floor(n * perMille / 1000))`: a count scaled by thousandths, never below 1. */
export function scaleCount(n: number, perMille: number): number {
  return Math.max(1, floorDiv(n * perMille, 1000));
}

const scaledRates = new WeakMap<Rate, Map<number, Rate>>();

/**
 * `rate` with its limit scaled by `perMille` thousandths (`max(1, floor(L *
 * perMille / 1000))`), same period. Cached per rate, so a hot path makes no
 * new objects. Throws `ConfigurationError` when the scaled rate is too large.
 */
export function scaleRate(rate: Rate, perMille: number): Rate {
  if (perMille === 1000) return rate;
  let byFactor = scaledRates.get(rate);
  if (byFactor === undefined) {
    byFactor = new Map();
    scaledRates.set(rate, byFactor);
  }
  let scaled = byFactor.get(perMille);
  if (scaled === undefined) {
    scaled = new Rate({ limit: scaleCount(rate.limit, perMille), milliseconds: rate.periodMs });
    byFactor.set(perMille, scaled);
  }
  return scaled;
}
