import { ConfigurationError, describeValue } from './errors.js';

const MS_PER_UNIT: Readonly<Record<string, number>> = {
  ms: 1, msec: 1, msecs: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

// "<limit>/<period?><unit>", "<limit>/<period> <unit>", "<limit> per <period?> <unit>", "0/0".
const RATE_PATTERN =
  /^\s*(\d+)\s*(?:\/|\bper(?=\s|\d|[a-z]|$))\s*(\d+(?:\.\d+)?)?\s*([a-z]+)?\s*$/i;

/** The fields of `new Rate({...})`: a limit and a period made of any mix of units. */
export interface RateInit {
  /** Units admitted per period; a whole number >= 1 (or 0 with a zero period for unlimited). */
  limit: number;
  milliseconds?: number;
  seconds?: number;
  minutes?: number;
  hours?: number;
  days?: number;
}

/** What a throttle accepts as a rate: a string such as "100/minute", or a `Rate`. */
export type RateLike = string | Rate;

/**
 * A rate limit: `limit` units per `periodMs` milliseconds. Immutable.
 * "0/0" (limit 0, period 0) is the unlimited rate; any other rate has
 * `limit >= 1` and a whole `periodMs >= 1`, both below 2^53. Whether a rate
 * is small enough for a strategy's exact integer arithmetic is that
 * strategy's to check (`Strategy.validateRate`): large rates such as
 * "100000000/day" work with every strategy whose products allow them.
 */
export class Rate {
  /** Most units admitted per period (0 only when unlimited). */
  readonly limit: number;
  /** Length of the period in whole milliseconds (0 only when unlimited). */
  readonly periodMs: number;
  /**
   * `limit / g` with `g = gcd(limit, periodMs)`: the same rate as
   * `reducedLimit` units per `reducedPeriodMs` ms, in the smallest integers
   * (SEMANTICS.md "Notation"). Strategies that scale by the period use these
   * so their products shrink by `g`. 0 when unlimited.
   */
  readonly reducedLimit: number;
  /** `periodMs / gcd(limit, periodMs)` (see `reducedLimit`). 0 when unlimited. */
  readonly reducedPeriodMs: number;

  constructor(init: RateInit) {
    if (init === null || typeof init !== 'object') {
      throw new ConfigurationError(`Rate expects { limit, seconds, ... }, got ${describeValue(init)}`);
    }
    const known = new Set(['limit', 'milliseconds', 'seconds', 'minutes', 'hours', 'days']);
    for (const name of Object.keys(init)) {
      if (!known.has(name)) throw new ConfigurationError(`Rate: unknown option "${name}"`);
    }
    const { limit } = init;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) {
      throw new ConfigurationError(`Rate limit must be a whole number >= 0, got ${describeValue(limit)}`);
    }
    let period = 0;
    for (const [name, factor] of [
      ['milliseconds', 1], ['seconds', 1000], ['minutes', 60_000], ['hours', 3_600_000], ['days', 86_400_000],
    ] as const) {
      const part = init[name];
      if (part === undefined) continue;
      if (typeof part !== 'number' || !Number.isFinite(part) || part < 0) {
        throw new ConfigurationError(`Rate ${name} must be a finite number >= 0, got ${describeValue(part)}`);
      }
      period += part * factor;
    }
    const periodMs = Math.round(period);
    if (Math.abs(period - periodMs) > 1e-9) {
      throw new ConfigurationError(`Rate period must be a whole number of milliseconds, got ${period} ms`);
    }
    if (limit === 0 && periodMs === 0) {
      this.limit = 0;
      this.periodMs = 0;
      this.reducedLimit = 0;
      this.reducedPeriodMs = 0;
      return;
    }
    if (limit === 0) {
      throw new ConfigurationError(`Rate limit must be >= 1 (use "0/0" for unlimited), got 0 per ${periodMs} ms`);
    }
    if (periodMs === 0) {
      throw new ConfigurationError(`Rate period must be > 0 ms (use "0/0" for unlimited), got ${limit} per 0 ms`);
    }
    if (!Number.isSafeInteger(limit) || !Number.isSafeInteger(periodMs)) {
      throw new ConfigurationError(`Rate ${limit}/${periodMs}ms is too large: limit and period must stay below 2^53`);
    }
    this.limit = limit;
    this.periodMs = periodMs;
    const g = greatestCommonDivisor(limit, periodMs);
    this.reducedLimit = limit / g;
    this.reducedPeriodMs = periodMs / g;
  }

  /**
   * Parses "5/m", "2/5s", "10/30 seconds", "2 per second", "2 persecond",
   * "1000/500ms", "20 per 2 mins", "3/day" and "0/0". Units: ms, s/sec/second,
   * m/min/minute, h/hr/hour, d/day (plurals too). Throws `ConfigurationError`
   * naming the string and what is wrong with it.
   */
  static parse(text: string): Rate {
    if (typeof text !== 'string') {
      throw new ConfigurationError(`Rate.parse expects a string such as "100/minute", got ${describeValue(text)}`);
    }
    const match = RATE_PATTERN.exec(text);
    if (!match) {
      throw new ConfigurationError(
        `Invalid rate ${describeValue(text)}: expected "<limit>/<period><unit>" or "<limit> per <period> <unit>", e.g. "100/minute" or "2/5s"`,
      );
    }
    const limit = Number(match[1]);
    const count = match[2] === undefined ? 1 : Number(match[2]);
    const unitText = match[3];
    if (unitText === undefined) {
      if (limit === 0 && count === 0) return new Rate({ limit: 0 });
      throw new ConfigurationError(`Invalid rate ${describeValue(text)}: missing a unit (ms, s, m, h or d)`);
    }
    const factor = MS_PER_UNIT[unitText.toLowerCase()];
    if (factor === undefined) {
      throw new ConfigurationError(
        `Invalid rate ${describeValue(text)}: unknown unit "${unitText}" (use ms, s, m, h or d, or their names)`,
      );
    }
    if (limit === 0 && count === 0) return new Rate({ limit: 0 });
    try {
      return new Rate({ limit, milliseconds: count * factor });
    } catch (error) {
      throw new ConfigurationError(`Invalid rate ${describeValue(text)}: ${(error as Error).message}`);
    }
  }

  /** Returns `value` as a `Rate`, parsing strings. Throws `ConfigurationError` for anything else. */
  static from(value: RateLike): Rate {
    if (value instanceof Rate) return value;
    if (typeof value === 'string') return Rate.parse(value);
    throw new ConfigurationError(`Expected a rate string such as "100/minute" or a Rate, got ${describeValue(value)}`);
  }

  /** True for "0/0": everything is allowed and nothing is stored. */
  get unlimited(): boolean {
    return this.limit === 0;
  }
  /** True when the period is shorter than one second. */
  get isSubsecond(): boolean {
    return !this.unlimited && this.periodMs < 1000;
  }
  /** Units per second (Infinity when unlimited). */
  get rps(): number {
    return this.unlimited ? Infinity : (this.limit * 1000) / this.periodMs;
  }
  /** Units per minute (Infinity when unlimited). */
  get rpm(): number {
    return this.rps * 60;
  }
  /** Units per hour (Infinity when unlimited). */
  get rph(): number {
    return this.rps * 3600;
  }
  /** Units per day (Infinity when unlimited). */
  get rpd(): number {
    return this.rps * 86_400;
  }
  /** Canonical text, "100/60000ms" or "0/0"; two rates with the same text behave the same. */
  toString(): string {
    return this.unlimited ? '0/0' : `${this.limit}/${this.periodMs}ms`;
  }
  /**
   * This rate reduced by `divisor` instead of gcd(limit, period): for a
   * strategy that reads one state under several limits of the same period
   * (a tiered or time-of-day wrapper), so every limit counts in the same
   * units (`divisor` = the gcd of the period and all those limits). Throws
   * `ConfigurationError` unless `divisor` divides both limit and period.
   */
  withDivisor(divisor: number): Rate {
    if (this.unlimited) return this;
    if (!Number.isSafeInteger(divisor) || divisor < 1 || this.limit % divisor !== 0 || this.periodMs % divisor !== 0) {
      throw new ConfigurationError(`Rate ${this.toString()}: ${describeValue(divisor)} does not divide both limit and period`);
    }
    const copy = new Rate({ limit: this.limit, milliseconds: this.periodMs });
    const reduced = copy as { reducedLimit: number; reducedPeriodMs: number };
    reduced.reducedLimit = this.limit / divisor;
    reduced.reducedPeriodMs = this.periodMs / divisor;
    return copy;
  }

  /** True when both rates have the same limit and period. */
  equals(other: Rate): boolean {
    return this.limit === other.limit && this.periodMs === other.periodMs;
  }
}

/** gcd(a, b) of two positive safe integers (Euclid). */
export function greatestCommonDivisor(a: number, b: number): number {
  while (b !== 0) {
    const r = a % b;
    a = b;
    b = r;
  }
  return a;
}
