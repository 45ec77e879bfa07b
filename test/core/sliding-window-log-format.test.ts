/**
 * The sliding window log's stored text, `S|t1,c1,...`: S (the sum of the
 * costs) is what lets the Redis twin decide an allowed hit without adding
 * up the log, so a text whose S disagrees with its entries is refused.
 */
import { describe, expect, it } from 'vitest';
import { Rate, SlidingWindowLogStrategy } from '../../src/index.js';

describe('SlidingWindowLogStrategy stored text', () => {
  const strategy = new SlidingWindowLogStrategy();

  it('writes the sum of the costs before the entries, and reads it back', () => {
    expect(strategy.serialize({ times: [], costs: [] })).toBe('0|');
    expect(strategy.serialize({ times: [1000, 1005], costs: [2, 3] })).toBe('5|1000,2,1005,3');
    expect(strategy.parse('5|1000,2,1005,3')).toEqual({ times: [1000, 1005], costs: [2, 3] });
    expect(strategy.parse('0|')).toEqual({ times: [], costs: [] });
  });

  it('refuses a text without the sum, or with a sum its entries do not add up to', () => {
    expect(() => strategy.parse('1000,2,1005,3')).toThrow(/does not start with "<sum>\|"/);
    expect(() => strategy.parse('')).toThrow(TypeError);
    expect(() => strategy.parse('6|1000,2,1005,3')).toThrow(/has sum 6, its costs add up to 5/);
    expect(() => strategy.parse('x|1000,2')).toThrow(TypeError);
  });

  it('drops the entries that left the window from the oldest, and adds to the newest entry within one millisecond', () => {
    const rate = Rate.parse('10/s');
    const first = strategy.step(undefined, 1000, 2, rate);
    const second = strategy.step(first.state, 1000, 3, rate);
    expect(strategy.serialize(second.state)).toBe('5|1000,5');
    const later = strategy.step(second.state, 2000, 1, rate);
    expect(strategy.serialize(later.state)).toBe('1|2000,1');
    expect(later.decision.remaining).toBe(9);
  });
});
