import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/core/errors.js';
import { Rate } from '../../../src/core/rate.js';
import { PriorityStrategy } from '../../../src/core/strategies/priority.js';
import { TimeOfDayStrategy } from '../../../src/core/strategies/time-of-day.js';
import { TokenBucketStrategy } from '../../../src/core/strategies/token-bucket.js';
import { stepper } from './trace.js';

const at = (iso: string) => Date.parse(iso);

describe('TimeOfDayStrategy', () => {
  const periods = [{ from: 0, to: 8, scale: 2 }, { from: 18, to: 24, scale: 0.5 }];

  it('scales by the local hour, with the UTC offset', () => {
    const strategy = new TimeOfDayStrategy({ periods, utcOffsetMinutes: 120 });
    expect(strategy.hourAt(at('2026-01-01T05:30:00Z'))).toBe(7);
    expect(strategy.hourAt(at('2026-01-01T22:00:00Z'))).toBe(0);
    expect(new TimeOfDayStrategy({ periods, utcOffsetMinutes: -330 }).hourAt(at('2026-01-01T02:00:00Z'))).toBe(20);
    expect(new TimeOfDayStrategy({ periods }).hourAt(-1)).toBe(23);
    const s = stepper(strategy, '10/h');
    // 07:59 local: scale 2 -> 20 per hour window.
    for (let i = 0; i < 20; i++) expect(s.hit(at('2026-01-01T05:59:00Z')).allowed).toBe(true);
    expect(s.hit(at('2026-01-01T05:59:00Z'))).toMatchObject({ allowed: false, limit: 20, retryAfterMs: 60_000 });
    // 08:00 local, a new hour window: scale 1.
    expect(s.hit(at('2026-01-01T06:00:00Z'))).toMatchObject({ allowed: true, limit: 10, remaining: 9 });
    // 18:30 local: 0.5.
    expect(s.hit(at('2026-01-01T16:30:00Z'))).toMatchObject({ allowed: true, limit: 5, remaining: 4 });
  });

  it('keeps a bucket filled at a fast hour until the slow rate has drained it', () => {
    const strategy = new TimeOfDayStrategy({ base: new TokenBucketStrategy(), periods: [{ from: 0, to: 12, scale: 4 }] });
    const rate = Rate.parse('10/s');
    const filled = at('2026-01-01T11:59:59.900Z');
    // Before noon: 40 per second, a full burst of 40 drains in 1 s at that rate ...
    const fill = strategy.step(undefined, filled, 40, rate);
    expect(fill.decision).toMatchObject({ allowed: true, limit: 40, resetAfterMs: 1000 });
    // ... but after noon it drains at 10 per second: the state is kept 4 s, not 1.
    expect(fill.ttlMs).toBe(4000);
    expect(strategy.step(fill.state, filled + 600, 1, rate).decision).toMatchObject({ allowed: false, limit: 10, retryAfterMs: 2500 });
    expect(strategy.step(fill.state, filled + 4000, 10, rate).decision).toEqual(strategy.step(undefined, filled + 4000, 10, rate).decision);
  });

  it('adds no per-hit args of its own (the base\'s pass through)', () => {
    expect(new TimeOfDayStrategy({ periods }).argsFor).toBeUndefined();
    const overPriority = new TimeOfDayStrategy({ periods, base: new PriorityStrategy({ shares: [1, 0.5] }) });
    expect(overPriority.argsFor?.('k', { priority: 0 })).toEqual([0]);
  });

  it('rejects bad options', () => {
    expect(() => new TimeOfDayStrategy({ periods: [] })).toThrow(ConfigurationError);
    expect(() => new TimeOfDayStrategy({ periods: [{ from: 5, to: 5, scale: 1 }] })).toThrow(/from < to/);
    expect(() => new TimeOfDayStrategy({ periods: [{ from: 0, to: 6, scale: 1 }, { from: 5, to: 7, scale: 2 }] })).toThrow(/overlaps/);
    expect(() => new TimeOfDayStrategy({ periods, utcOffsetMinutes: 900 })).toThrow(/utcOffsetMinutes/);
    expect(() => new TimeOfDayStrategy({ periods: [{ from: 0, to: 6, scale: 1, extra: 1 } as never] })).toThrow(/extra/);
  });
});
