import { checkOptionNames } from '../options.js';
import type { Rate } from '../rate.js';
import type { LuaStep } from './lua-step.js';
import { SLIDING_WINDOW_LOG_LUA } from './sliding-window-log.lua.js';
import { parseIntegers, type StepOutcome, type Strategy } from './strategy.js';
import { describeSlidingWindowLog } from './sliding-window-log.describe.js';
import type { StateDescription } from './strategy.js';

/**
 * Sliding-window-log state: admitted hits as parallel arrays of times and
 * costs, oldest first. Hits at the same millisecond share one entry, so a key
 * never holds more than L entries.
 */
export interface SlidingWindowLogState {
  readonly times: readonly number[];
  readonly costs: readonly number[];
}

/**
 * Sliding window log: exact. A hit is allowed iff the units admitted in the
 * last P ms (`t > now - P`) plus its cost stay within L. Denied: wait until
 * enough of the oldest entries leave the window. O(L) memory per key.
 */
export class SlidingWindowLogStrategy implements Strategy<SlidingWindowLogState> {
  readonly name = 'sliding-window-log';
  /** The Lua twin run by the Redis backend. */
  readonly lua: LuaStep | undefined = SLIDING_WINDOW_LOG_LUA;

  constructor(options?: Record<string, never>) {
    checkOptionNames('SlidingWindowLogStrategy', options, []);
  }

  step(state: SlidingWindowLogState | undefined, now: number, cost: number, rate: Rate): StepOutcome<SlidingWindowLogState> {
    const L = rate.limit;
    const P = rate.periodMs;
    const times: number[] = [];
    const costs: number[] = [];
    let s = 0;
    if (state !== undefined) {
      // The log is in the order admitted: entries leave the window from the oldest.
      let first = 0;
      while (first < state.times.length && state.times[first]! <= now - P) first++;
      for (let i = first; i < state.times.length; i++) {
        times.push(state.times[i]!);
        costs.push(state.costs[i]!);
        s += state.costs[i]!;
      }
    }
    if (s + cost <= L) {
      if (cost > 0) {
        const last = times.length - 1;
        if (last >= 0 && times[last] === now) costs[last] = costs[last]! + cost;
        else {
          times.push(now);
          costs.push(cost);
        }
      }
      const newest = times.length > 0 ? times[times.length - 1]! : undefined;
      const resetAfterMs = newest === undefined ? 0 : newest + P - now;
      return {
        decision: { allowed: true, limit: L, remaining: L - s - cost, retryAfterMs: 0, resetAfterMs, delayMs: 0 },
        state: { times, costs },
        ttlMs: Math.max(1, resetAfterMs),
      };
    }
    let retryAfterMs = Infinity;
    if (cost <= L) {
      let left = s;
      for (let i = 0; i < times.length; i++) {
        left -= costs[i]!;
        if (left + cost <= L) {
          retryAfterMs = times[i]! + P - now;
          break;
        }
      }
    }
    const newest = times.length > 0 ? times[times.length - 1]! : undefined;
    const resetAfterMs = newest === undefined ? 0 : newest + P - now;
    return {
      decision: { allowed: false, limit: L, remaining: L - s, retryAfterMs, resetAfterMs, delayMs: 0 },
      state: { times, costs },
      ttlMs: Math.max(1, resetAfterMs),
    };
  }

  /** The units in the window, the log's size, and when its oldest entry leaves. */
  describe(state: SlidingWindowLogState | undefined, now: number, rate: Rate): StateDescription {
    return describeSlidingWindowLog(state, now, rate);
  }

  /** `S|t1,c1,t2,c2,...`, S the sum of the costs: the Lua twin reads S instead of adding up the log. */
  serialize(state: SlidingWindowLogState): string {
    let sum = 0;
    for (const c of state.costs) sum += c;
    const parts: number[] = [];
    for (let i = 0; i < state.times.length; i++) parts.push(state.times[i]!, state.costs[i]!);
    return `${sum}|${parts.join(',')}`;
  }

  parse(text: string): SlidingWindowLogState {
    const bar = text.indexOf('|');
    const header = bar === -1 ? '' : text.slice(0, bar);
    if (!/^\d+$/.test(header)) throw new TypeError(`${this.name}: stored state ${JSON.stringify(text.slice(0, 80))} does not start with "<sum>|"`);
    const body = text.slice(bar + 1);
    const values = body === '' ? [] : parseIntegers(this.name, body);
    if (values.length % 2 !== 0) {
      throw new TypeError(`${this.name}: stored state ${JSON.stringify(text.slice(0, 80))} has an odd number of fields`);
    }
    const times: number[] = [];
    const costs: number[] = [];
    let sum = 0;
    for (let i = 0; i < values.length; i += 2) {
      times.push(values[i]!);
      costs.push(values[i + 1]!);
      sum += values[i + 1]!;
    }
    if (sum !== Number(header)) throw new TypeError(`${this.name}: stored state ${JSON.stringify(text.slice(0, 80))} has sum ${header}, its costs add up to ${sum}`);
    return { times, costs };
  }
}
