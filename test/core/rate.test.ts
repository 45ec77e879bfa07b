import { describe, expect, it } from 'vitest';
import { ConfigurationError, Rate } from '../../src/index.js';

describe('Rate.parse', () => {
  it.each([
    ['5/m', 5, 60_000],
    ['5/min', 5, 60_000],
    ['100/minute', 100, 60_000],
    ['2/5s', 2, 5_000],
    ['10/30 seconds', 10, 30_000],
    ['2 per second', 2, 1_000],
    ['2 persecond', 2, 1_000],
    ['1000/500ms', 1000, 500],
    ['20 per 2 mins', 20, 120_000],
    ['3/day', 3, 86_400_000],
    ['7/2 days', 7, 172_800_000],
    ['5/10seconds', 5, 10_000],
    ['1/h', 1, 3_600_000],
    ['4 per 3 hrs', 4, 10_800_000],
    ['9/1.5s', 9, 1_500],
    ['  6 / 2 MINUTES ', 6, 120_000],
  ])('parses %j as %i per %i ms', (text, limit, periodMs) => {
    const rate = Rate.parse(text);
    expect(rate.limit).toBe(limit);
    expect(rate.periodMs).toBe(periodMs);
    expect(rate.unlimited).toBe(false);
  });

  it('parses "0/0" as unlimited', () => {
    const rate = Rate.parse('0/0');
    expect(rate.unlimited).toBe(true);
    expect(rate.rps).toBe(Infinity);
    expect(rate.toString()).toBe('0/0');
  });

  it.each([
    ['', 'expected'],
    ['abc', 'expected'],
    ['5/fortnight', 'unknown unit "fortnight"'],
    ['5', 'expected'],
    ['-1/s', 'expected'],
    ['1.5/s', 'expected'],
    ['5/0s', 'period must be > 0'],
    ['0/s', 'limit must be >= 1'],
    ['5/5', 'missing a unit'],
    ['5/0.5ms', 'whole number of milliseconds'],
  ])('rejects %j naming the string', (text, reason) => {
    const attempt = () => Rate.parse(text);
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(JSON.stringify(text));
    expect(attempt).toThrow(reason);
  });

  it('rejects non-strings', () => {
    expect(() => Rate.parse(42 as unknown as string)).toThrow(/got 42/);
  });
});

describe('new Rate', () => {
  it('adds mixed units', () => {
    const rate = new Rate({ limit: 100, minutes: 5, seconds: 30 });
    expect(rate.periodMs).toBe(330_000);
    expect(rate.toString()).toBe('100/330000ms');
  });

  it('computes per-second, minute, hour and day rates', () => {
    const rate = Rate.parse('120/minute');
    expect(rate.rps).toBe(2);
    expect(rate.rpm).toBe(120);
    expect(rate.rph).toBe(7200);
    expect(rate.rpd).toBe(172_800);
    expect(rate.isSubsecond).toBe(false);
    expect(Rate.parse('10/500ms').isSubsecond).toBe(true);
  });

  it.each([
    [{ limit: -1, seconds: 1 }, 'got -1'],
    [{ limit: 1.5, seconds: 1 }, 'got 1.5'],
    [{ limit: 1, seconds: Number.NaN }, 'got NaN'],
    [{ limit: 1, seconds: -2 }, 'got -2'],
    [{ limit: 1, seconds: 1, weeks: 1 }, 'unknown option "weeks"'],
    [{ limit: 2 ** 53, seconds: 1 }, 'too large'],
  ])('rejects %j', (init, message) => {
    expect(() => new Rate(init as never)).toThrow(ConfigurationError);
    expect(() => new Rate(init as never)).toThrow(message);
  });

  it('compares by value', () => {
    expect(Rate.parse('60/m').equals(new Rate({ limit: 60, seconds: 60 }))).toBe(true);
    expect(Rate.parse('60/m').equals(Rate.parse('60/h'))).toBe(false);
  });
});
