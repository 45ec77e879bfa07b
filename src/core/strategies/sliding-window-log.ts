import { checkOptionNames } from '../options.js';
import type { Rate } from '../rate.js';
import type { LuaStep } from './lua-step.js';
import { SLIDING_WINDOW_LOG_LUA } from './sliding-window-log.lua.js';
import { parseIntegers, type StepArgs, type StepOp, type StepOutcome, type Strategy } from './strategy.js';
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

/** Width of the stored text's header: `S|head|end|oldest|newest|` at fixed widths (16, 10, 10, 16, 16). */
export const SLIDING_LOG_HEADER_LENGTH = 73;

/** An integer written at a fixed width, zero-padded (a negative one as `-` and width - 1 digits), as Lua's `%0<width>d`. */
function fixed(n: number, width: number): string {
  return n < 0 ? `-${String(-n).padStart(width - 1, '0')}` : String(n).padStart(width, '0');
}

const HEADER_PATTERN = /^(\d{16})\|(\d{10})\|(\d{10})\|(-\d{15}|\d{16})\|(-\d{15}|\d{16})\|/;
const ENTRY_PATTERN = /^-?\d+,\d+$/;

/**
 * Sliding window log: exact. A hit is allowed iff the units admitted in the
 * last P ms (`t > now - P`) plus its cost stay within L. Denied: wait until
 * enough of the oldest entries leave the window. O(L) memory per key.
 * Charge appends even past the limit; refund takes units off the newest
 * entries first.
 *
 * Stored text: a fixed-width header `S|head|end|oldest|newest|` (S the sum
 * of the costs, head and end the byte offsets of the entries, oldest and
 * newest their first and last times; 0 for an empty log), then the entries
 * `t,c;` from `head` to `end` (bytes outside are ignored). The Lua twin
 * keeps the log in place in Redis: a hit reads the header, appends one
 * entry and rewrites the header, cut entries only move `head` (the text is
 * compacted now and then), so a hit costs the same whatever the log's
 * length (sliding-window-log.lua.ts). Entries of one millisecond may be
 * stored apart there; they read back as one.
 */
export class SlidingWindowLogStrategy implements Strategy<SlidingWindowLogState> {
  readonly name = 'sliding-window-log';
  /** The Lua twin run by the Redis backend. */
  readonly lua: LuaStep | undefined = SLIDING_WINDOW_LOG_LUA;
  /** Charge and refund are implemented (SEMANTICS "Giving units back"). */
  readonly supportsChargeAndRefund = true;
  /** Units leave the log only with time: a denial holds until its retry time. */
  readonly denialsHoldUntilRetry = true;

  constructor(options?: Record<string, never>) {
    checkOptionNames('SlidingWindowLogStrategy', options, []);
  }

  step(state: SlidingWindowLogState | undefined, now: number, cost: number, rate: Rate, _args?: StepArgs, op: StepOp = 'hit'): StepOutcome<SlidingWindowLogState> {
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
    if (op === 'refund') {
      // Newest entries first, never more than the log holds.
      let left = Math.min(cost, s);
      s -= left;
      while (left > 0) {
        const last = costs.length - 1;
        const take = Math.min(left, costs[last]!);
        left -= take;
        if (take === costs[last]) {
          times.pop();
          costs.pop();
        } else costs[last] = costs[last]! - take;
      }
      return allowedOutcome(times, costs, s, L, P, now);
    }
    if (op === 'charge' || cost === 0 || s + cost <= L) {
      if (cost > 0) {
        const last = times.length - 1;
        // A clock that stepped back never writes an entry older than the newest: the log stays in order.
        const t = last >= 0 && times[last]! > now ? times[last]! : now;
        if (last >= 0 && times[last] === t) costs[last] = costs[last]! + cost;
        else {
          times.push(t);
          costs.push(cost);
        }
      }
      return allowedOutcome(times, costs, s + cost, L, P, now);
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
      decision: { allowed: false, limit: L, remaining: Math.max(0, L - s), retryAfterMs, resetAfterMs, delayMs: 0 },
      state: { times, costs },
      ttlMs: Math.max(1, resetAfterMs),
    };
  }

  /** The units in the window, the log's size, and when its oldest entry leaves. */
  describe(state: SlidingWindowLogState | undefined, now: number, rate: Rate): StateDescription {
    return describeSlidingWindowLog(state, now, rate);
  }

  /** The header, then `t,c;` per entry (see the class comment). */
  serialize(state: SlidingWindowLogState): string {
    let sum = 0;
    let body = '';
    for (let i = 0; i < state.times.length; i++) {
      sum += state.costs[i]!;
      body += `${state.times[i]!},${state.costs[i]!};`;
    }
    const n = state.times.length;
    const oldest = n === 0 ? 0 : state.times[0]!;
    const newest = n === 0 ? 0 : state.times[n - 1]!;
    const H = SLIDING_LOG_HEADER_LENGTH;
    return `${fixed(sum, 16)}|${fixed(H, 10)}|${fixed(H + body.length, 10)}|${fixed(oldest, 16)}|${fixed(newest, 16)}|${body}`;
  }

  parse(text: string): SlidingWindowLogState {
    const bad = (why: string) => new TypeError(`${this.name}: stored state ${JSON.stringify(String(text).slice(0, 80))} ${why}`);
    const header = typeof text === 'string' ? HEADER_PATTERN.exec(text) : null;
    if (header === null) throw bad('does not start with a sliding-window-log header');
    const head = Number(header[2]);
    const end = Number(header[3]);
    if (head < SLIDING_LOG_HEADER_LENGTH || end < head || end > text.length) throw bad('has entry offsets out of range');
    const body = text.slice(head, end);
    if (body !== '' && !body.endsWith(';')) throw bad('has an unterminated entry');
    const times: number[] = [];
    const costs: number[] = [];
    let sum = 0;
    for (const entry of body === '' ? [] : body.slice(0, -1).split(';')) {
      if (!ENTRY_PATTERN.test(entry)) throw bad(`has a malformed entry ${JSON.stringify(entry.slice(0, 40))}`);
      const [t, c] = parseIntegers(this.name, entry, 2) as [number, number];
      sum += c;
      // Entries of one millisecond stored apart (by the Lua twin) are one entry.
      if (times.length > 0 && times[times.length - 1] === t) costs[costs.length - 1]! += c;
      else {
        times.push(t);
        costs.push(c);
      }
    }
    if (sum !== Number(header[1])) throw bad(`has sum ${Number(header[1])}, its costs add up to ${sum}`);
    if (times.length > 0 && (times[0] !== Number(header[4]) || times[times.length - 1] !== Number(header[5]))) throw bad('has oldest/newest times that do not match its entries');
    return { times, costs };
  }
}

/** An allowed step's outcome (hit, charge or refund): `remaining` never below 0, reset from the newest entry. */
function allowedOutcome(times: number[], costs: number[], s: number, L: number, P: number, now: number): StepOutcome<SlidingWindowLogState> {
  const newest = times.length > 0 ? times[times.length - 1]! : undefined;
  const resetAfterMs = newest === undefined ? 0 : newest + P - now;
  return {
    decision: { allowed: true, limit: L, remaining: Math.max(0, L - s), retryAfterMs: 0, resetAfterMs, delayMs: 0 },
    state: { times, costs },
    ttlMs: Math.max(1, resetAfterMs),
  };
}
