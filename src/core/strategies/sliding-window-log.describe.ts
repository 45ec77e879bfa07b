/**
 * `SlidingWindowLogStrategy.describe` (kept beside the strategy, owned with
 * it): the entries still inside the window and when the oldest leaves it.
 * Takes the log structurally so it imports nothing from the strategy.
 */
import type { Rate } from '../rate.js';
import type { StateDescription } from './strategy.js';

/** The log's entries: admission times and their costs, oldest first. */
interface LogEntries {
  readonly times: readonly number[];
  readonly costs: readonly number[];
}

/** Sliding window log: units in the last period, entries, and when the oldest leaves the window. Pure. */
export function describeSlidingWindowLog(state: LogEntries | undefined, now: number, rate: Rate): StateDescription {
  const L = rate.limit;
  const P = rate.periodMs;
  let used = 0;
  let entries = 0;
  let oldest: number | undefined;
  if (state !== undefined) {
    for (let i = 0; i < state.times.length; i++) {
      const t = state.times[i]!;
      if (t > now - P) {
        used += state.costs[i]!;
        entries++;
        oldest ??= t;
      }
    }
  }
  const oldestLeavesInMs = oldest === undefined ? 0 : oldest + P - now;
  return {
    summary: entries === 0
      ? `0 of ${L} used in the last ${P} ms (log empty)`
      : `${used} of ${L} used in the last ${P} ms (${entries} log entries); the oldest leaves the window in ${oldestLeavesInMs} ms`,
    values: { used, limit: L, remaining: L - used, entries, oldestLeavesInMs },
  };
}
