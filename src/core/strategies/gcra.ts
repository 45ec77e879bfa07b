import { checkOptionNames, checkWholeNumber } from '../options.js';
import type { Rate } from '../rate.js';
import { backlogTime, drainBacklog, parseBacklog, type BacklogState } from './backlog.js';
import { ceilDiv, floorDiv } from './integer-math.js';
import { GCRA_LUA } from './backlog.lua.js';
import type { LuaStep } from './lua-step.js';
import type { StepOutcome, Strategy } from './strategy.js';
import { describeGcra } from './describe-state.js';
import type { StateDescription } from './strategy.js';

/** Options of `GCRAStrategy`. */
export interface GCRAOptions {
  /** How early a hit may arrive before its theoretical time, tau >= 0 ms (default 0: perfectly smooth). */
  burstToleranceMs?: number;
}

/**
 * GCRA (generic cell rate algorithm): one emission every P / L ms, with
 * `burstToleranceMs` (tau) of slack. A hit is allowed iff the line is clear at
 * its start (`tat - tau <= now`) and then pays its whole cost, so a large cost
 * is never refused outright (never Infinity). `limit` = floor(tau * L / P) + 1.
 */
export class GCRAStrategy implements Strategy<BacklogState> {
  readonly name: string;
  /** The burst tolerance tau in ms. */
  readonly burstToleranceMs: number;
  /** The Lua twin run by the Redis backend (backlog.lua.ts), with tau as its param. */
  readonly lua: LuaStep | undefined = { source: GCRA_LUA.source, params: () => [this.burstToleranceMs] };

  constructor(options: GCRAOptions = {}) {
    checkOptionNames('GCRAStrategy', options, ['burstToleranceMs']);
    this.burstToleranceMs = options.burstToleranceMs === undefined ? 0 : checkWholeNumber('GCRAStrategy', 'burstToleranceMs', options.burstToleranceMs, 0);
    this.name = `gcra:${this.burstToleranceMs}`;
  }

  step(state: BacklogState | undefined, now: number, cost: number, rate: Rate): StepOutcome<BacklogState> {
    const L = rate.limit;
    const P = rate.periodMs;
    const slack = this.burstToleranceMs * L;
    const limit = floorDiv(slack, P) + 1;
    const y0 = drainBacklog(state, now, L);
    const last = backlogTime(state, now);
    if (cost === 0 || y0 <= slack) {
      const y = y0 + cost * P;
      const resetAfterMs = ceilDiv(y, L);
      return {
        decision: { allowed: true, limit, remaining: Math.max(0, floorDiv(slack - y, P) + 1), retryAfterMs: 0, resetAfterMs, delayMs: 0 },
        state: { y, last },
        ttlMs: Math.max(1, resetAfterMs),
      };
    }
    const resetAfterMs = ceilDiv(y0, L);
    return {
      decision: {
        allowed: false, limit, remaining: Math.max(0, floorDiv(slack - y0, P) + 1),
        retryAfterMs: ceilDiv(y0 - slack, L), resetAfterMs, delayMs: 0,
      },
      state: { y: y0, last },
      ttlMs: Math.max(1, resetAfterMs),
    };
  }

  /** The theoretical arrival time and when the next hit is allowed. */
  describe(state: BacklogState | undefined, now: number, rate: Rate): StateDescription {
    return describeGcra(state, now, rate, this.burstToleranceMs);
  }

  serialize(state: BacklogState): string {
    return `${state.y},${state.last}`;
  }

  parse(text: string): BacklogState {
    return parseBacklog(this.name, text);
  }
}
