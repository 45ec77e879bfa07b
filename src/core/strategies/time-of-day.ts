import { ConfigurationError, describeValue } from '../errors.js';
import { checkOptionNames } from '../options.js';
import { floorDiv } from './integer-math.js';
import { toPerMille } from './per-mille.js';
import { ScaledStrategy } from './scaled-strategy.js';
import type { AnyStrategy, StepArgs } from './strategy.js';

/** Hours `[from, to)` of the local day (0-24) during which the limit is multiplied by `scale`. */
export interface TimeOfDayPeriod {
  /** First hour, 0-23. */
  from: number;
  /** Hour after the last, 1-24, greater than `from` (split a period over midnight in two). */
  to: number;
  /** Multiplier of the limit, in [0.001, 1000], at most 3 decimals. */
  scale: number;
}

/** Options of `TimeOfDayStrategy`. */
export interface TimeOfDayOptions {
  /** The strategy whose limit is scaled. Default: `new FixedWindowStrategy()`. */
  base?: AnyStrategy;
  /** Non-overlapping periods; hours in none of them keep the limit as it is (scale 1). */
  periods: readonly TimeOfDayPeriod[];
  /** The local time's offset from UTC in whole minutes, -720 to 840 (UTC+2 = 120). Default 0. Fixed: no daylight saving. */
  utcOffsetMinutes?: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Time-of-day limits: any base strategy, its limit scaled by the hour. The
 * local hour is `h = floor(((now + offset * 60000) mod 86400000) / 3600000)`
 * (`mod` non-negative); a hit runs the base's step with the rate
 * `max(1, floor(L * s_h / 1000))` per P, where `s_h` is the scale (in
 * thousandths) of the period holding hour h, or 1000 outside every period
 * (see `ScaledStrategy`). One state per key across hours: when the hour
 * changes, the new limit applies to the count so far. The hour comes from
 * the backend's clock, so every process agrees.
 */
export class TimeOfDayStrategy extends ScaledStrategy {
  readonly name: string;
  /** The scale of each hour 0-23, in thousandths. */
  readonly hourlyPerMille: readonly number[];
  /** The offset from UTC in minutes. */
  readonly utcOffsetMinutes: number;
  protected readonly ownArgs = 0;

  constructor(options: TimeOfDayOptions) {
    const owner = 'TimeOfDayStrategy';
    checkOptionNames(owner, options, ['base', 'periods', 'utcOffsetMinutes']);
    if (options === undefined) throw new ConfigurationError(`${owner}: options are required ({ periods })`);
    super(owner, options.base, false);
    const { periods, utcOffsetMinutes = 0 } = options;
    if (!Array.isArray(periods) || periods.length === 0) {
      throw new ConfigurationError(`${owner}: periods must list at least one { from, to, scale }, got ${describeValue(periods)}`);
    }
    const hourly: (number | undefined)[] = new Array<number | undefined>(24).fill(undefined);
    periods.forEach((period: TimeOfDayPeriod, i) => {
      if (period === null || typeof period !== 'object') {
        throw new ConfigurationError(`${owner}: periods[${i}] must be { from, to, scale }, got ${describeValue(period)}`);
      }
      checkOptionNames(`${owner} periods[${i}]`, period, ['from', 'to', 'scale']);
      const { from, to } = period;
      if (!Number.isInteger(from) || from < 0 || from > 23 || !Number.isInteger(to) || to <= from || to > 24) {
        throw new ConfigurationError(`${owner}: periods[${i}] must have whole hours 0 <= from < to <= 24, got from ${describeValue(from)} to ${describeValue(to)}`);
      }
      const scale = toPerMille(owner, `periods[${i}].scale`, period.scale, 0.001, 1000);
      for (let h = from; h < to; h++) {
        if (hourly[h] !== undefined) throw new ConfigurationError(`${owner}: periods[${i}] overlaps an earlier period at hour ${h}`);
        hourly[h] = scale;
      }
    });
    if (!Number.isInteger(utcOffsetMinutes) || utcOffsetMinutes < -720 || utcOffsetMinutes > 840) {
      throw new ConfigurationError(`${owner}: utcOffsetMinutes must be a whole number from -720 to 840, got ${describeValue(utcOffsetMinutes)}`);
    }
    this.utcOffsetMinutes = utcOffsetMinutes;
    this.hourlyPerMille = hourly.map((s) => s ?? 1000);
    this.name = `time-of-day:${utcOffsetMinutes}:${this.hourlyPerMille.join('/')}:${this.base.name}`;
  }

  /** The local hour (0-23) at `now` ms. */
  hourAt(now: number): number {
    const local = now + this.utcOffsetMinutes * 60_000;
    return floorDiv(local - floorDiv(local, DAY_MS) * DAY_MS, HOUR_MS);
  }

  protected argsOwn(): StepArgs {
    return [];
  }

  protected factorAt(now: number): number {
    return this.hourlyPerMille[this.hourAt(now)]!;
  }

  protected factors(): readonly number[] {
    return [...new Set(this.hourlyPerMille)];
  }

  /** The distinct factors, and the runs of hours `[from, to, slot]` that use each (a few, not 24). */
  protected luaSlots(): { factors: readonly number[]; ranges: readonly (readonly [number, number, number])[] } {
    const factors = [...new Set(this.hourlyPerMille)];
    const ranges: [number, number, number][] = [];
    for (let h = 0; h < 24; h++) {
      const slot = factors.indexOf(this.hourlyPerMille[h]!);
      const last = ranges[ranges.length - 1];
      if (last !== undefined && last[2] === slot && last[1] === h) last[1] = h + 1;
      else ranges.push([h, h + 1, slot]);
    }
    return { factors, ranges };
  }

  protected override luaOffsetMinutes(): number {
    return this.utcOffsetMinutes;
  }
}
