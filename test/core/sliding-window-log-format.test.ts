/**
 * The sliding window log's stored text: a fixed-width header
 * `S|head|end|oldest|newest|` then `t,c;` entries from `head` to `end`. The
 * header is what lets the Redis twin decide an allowed hit by reading 73
 * bytes and appending one entry in place, so a text whose header disagrees
 * with its entries is refused; bytes outside [head, end) (entries the twin
 * cut, or left behind a refund) are ignored.
 */
import { describe, expect, it } from 'vitest';
import { Rate, SlidingWindowLogStrategy } from '../../src/index.js';

const header = (S: number, head: number, end: number, oldest: number, newest: number) =>
  `${String(S).padStart(16, '0')}|${String(head).padStart(10, '0')}|${String(end).padStart(10, '0')}|${String(oldest).padStart(16, '0')}|${String(newest).padStart(16, '0')}|`;

/** A stored text: `cut` bytes before head, then `entries`, then `after` past end. */
const logText = (S: number, oldest: number, newest: number, entries: string, cut = '', after = '') =>
  `${header(S, 73 + cut.length, 73 + cut.length + entries.length, oldest, newest)}${cut}${entries}${after}`;

describe('SlidingWindowLogStrategy stored text', () => {
  const strategy = new SlidingWindowLogStrategy();

  it('writes the header then the entries, and reads them back', () => {
    expect(strategy.serialize({ times: [], costs: [] })).toBe(header(0, 73, 73, 0, 0));
    expect(strategy.serialize({ times: [1000, 1005], costs: [2, 3] })).toBe(logText(5, 1000, 1005, '1000,2;1005,3;'));
    expect(strategy.parse(logText(5, 1000, 1005, '1000,2;1005,3;'))).toEqual({ times: [1000, 1005], costs: [2, 3] });
    expect(strategy.parse(header(0, 73, 73, 0, 0))).toEqual({ times: [], costs: [] });
  });

  it('reads only the entries between head and end, and merges entries of one millisecond', () => {
    const text = logText(4, 1005, 1009, '1005,1;1009,2;1009,1;', '999,1;', 'junk');
    expect(strategy.parse(text)).toEqual({ times: [1005, 1009], costs: [1, 3] });
  });

  it('refuses a text without the header, or whose header disagrees with its entries', () => {
    expect(() => strategy.parse('5|1000,2,1005,3')).toThrow(/does not start with a sliding-window-log header/);
    expect(() => strategy.parse('')).toThrow(TypeError);
    expect(() => strategy.parse(logText(6, 1000, 1005, '1000,2;1005,3;'))).toThrow(/has sum 6, its costs add up to 5/);
    expect(() => strategy.parse(`${header(5, 73, 95, 1000, 1005)}1000,2;1005,3;`)).toThrow(/offsets out of range/);
    expect(() => strategy.parse(logText(5, 1000, 1004, '1000,2;1005,3;'))).toThrow(/oldest\/newest/);
    expect(() => strategy.parse(logText(5, 1000, 1005, '1000,2;1x05,3;'))).toThrow(/malformed entry/);
  });

  it('drops the entries that left the window from the oldest, and adds to the newest entry within one millisecond', () => {
    const rate = Rate.parse('10/s');
    const first = strategy.step(undefined, 1000, 2, rate);
    const second = strategy.step(first.state, 1000, 3, rate);
    expect(second.state).toEqual({ times: [1000], costs: [5] });
    const later = strategy.step(second.state, 2000, 1, rate);
    expect(later.state).toEqual({ times: [2000], costs: [1] });
    expect(later.decision.remaining).toBe(9);
  });

  it('charges past the limit (remaining 0) and refunds from the newest entries first', () => {
    const rate = Rate.parse('10/s');
    const hit = strategy.step(undefined, 1000, 6, rate);
    const charged = strategy.step(hit.state, 1001, 7, rate, [], 'charge');
    expect(charged.decision).toMatchObject({ allowed: true, remaining: 0 });
    expect(strategy.step(charged.state, 1002, 1, rate).decision).toMatchObject({ allowed: false, retryAfterMs: 998 });
    const refunded = strategy.step(charged.state, 1002, 9, rate, [], 'refund');
    expect(refunded.state).toEqual({ times: [1000], costs: [4] });
    expect(refunded.decision).toMatchObject({ allowed: true, remaining: 6, retryAfterMs: 0, resetAfterMs: 998 });
    expect(strategy.step(refunded.state, 1003, 99, rate, [], 'refund').state).toEqual({ times: [], costs: [] });
  });
});
