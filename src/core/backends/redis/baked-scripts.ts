/**
 * The fast path's scripts: the many-hits script (many-hits.lua.ts) for one
 * Lua twin with one rate (L, P) and the TTL pad written in as literals, so a
 * hit sends only its cost, [now] and params, and Redis converts three fewer
 * arguments per hit. Also the encoding of one hit's cost and the decoding
 * of one hit's six values in the reply.
 */
import type { StepDecision } from '../../decision.js';
import type { LuaStep } from '../../strategies/lua-step.js';
import type { StepOp } from '../../strategies/strategy.js';
import { unexpectedReply } from './lua-driver.js';
import { MANY_HITS_LUA } from './many-hits.lua.js';
import { script, withTwin, type Script } from './script-source.js';

/** Most rates one `BakedHitScripts` writes scripts for; beyond, hits take the general driver (the server's script cache stays bounded even with rates computed per identity). */
export const MAX_BAKED_RATES = 64;

/** The many-hits script of one baked rate. */
export interface BakedScripts {
  /** ARGV = mode, then per hit cost, [now], params (many-hits.lua.ts). */
  readonly many: Script;
  /** Params per hit. */
  readonly paramCount: number;
}

/** A Lua table constructor of `count` numbers read from ARGV at `at + k`, or EMPTY. */
function paramsTable(count: number): string {
  return count === 0 ? 'EMPTY' : `{ ${Array.from({ length: count }, (_, k) => `tonumber(ARGV[at + ${k}])`).join(', ')} }`;
}

/** The many-hits script's text for one twin and one baked rate. */
function manyHitsSource(lua: LuaStep, paramCount: number, limit: number, periodMs: number, ttlPadMs: number): string {
  const driver = MANY_HITS_LUA.replace('LIMIT', String(limit))
    .replace('PERIOD', String(periodMs))
    .replace('PAD', String(ttlPadMs))
    .replace('NP', String(paramCount))
    .replace('PARAMS', paramsTable(paramCount));
  return withTwin(lua, driver);
}

/** One hit's cost as the many-hits script reads it: the number for op 'hit', '<op>:<cost>' otherwise. */
export function hitCost(cost: number, op: StepOp | undefined): number | string {
  return op === undefined || op === 'hit' ? cost : `${op}:${cost}`;
}

/**
 * Many-hits scripts with the rate written in, one per (twin source, param
 * count, L, P), for one TTL pad (one per backend), at most
 * `MAX_BAKED_RATES` of them.
 */
export class BakedHitScripts {
  private readonly bySource = new Map<string, Map<number, Map<number, BakedScripts>>[]>();
  private count = 0;

  constructor(private readonly ttlPadMs: number) {}

  /** The baked scripts, or undefined when the limit of baked rates is reached or a number is not a safe integer. */
  get(lua: LuaStep, paramCount: number, limit: number, periodMs: number): BakedScripts | undefined {
    let byCount = this.bySource.get(lua.source);
    if (byCount === undefined) {
      byCount = [];
      this.bySource.set(lua.source, byCount);
    }
    let byLimit = byCount[paramCount];
    if (byLimit === undefined) {
      byLimit = new Map();
      byCount[paramCount] = byLimit;
    }
    let byPeriod = byLimit.get(limit);
    let found = byPeriod?.get(periodMs);
    if (found === undefined) {
      if (this.count >= MAX_BAKED_RATES || !Number.isSafeInteger(limit) || !Number.isSafeInteger(periodMs) || !Number.isSafeInteger(this.ttlPadMs)) return undefined;
      if (byPeriod === undefined) {
        byPeriod = new Map();
        byLimit.set(limit, byPeriod);
      }
      found = { many: script(manyHitsSource(lua, paramCount, limit, periodMs, this.ttlPadMs)), paramCount };
      byPeriod.set(periodMs, found);
      this.count++;
    }
    return found;
  }
}

/**
 * Decodes the six values of one hit at `at` in a single-hit or many-hits
 * reply. Throws `TypeError` for values of the wrong shape, and a
 * `HitRefused` for a hit the many-hits script refused (its error text).
 */
export function decodeHitAt(reply: readonly unknown[], at: number): StepDecision {
  const allowed = reply[at];
  const limit = reply[at + 1];
  const remaining = reply[at + 2];
  const retry = reply[at + 3];
  const reset = reply[at + 4];
  const delay = reply[at + 5];
  if (typeof allowed === 'string') throw new HitRefused(allowed);
  if (typeof allowed !== 'number' || typeof limit !== 'number' || typeof remaining !== 'number' || typeof retry !== 'number' || typeof reset !== 'number' || typeof delay !== 'number') {
    throw unexpectedReply(reply);
  }
  return { allowed: allowed === 1, limit, remaining, retryAfterMs: retry === -1 ? Infinity : retry, resetAfterMs: reset, delayMs: delay };
}

/** One hit of a many-hits script that the server refused (the reply's error text, as Redis would have raised it for that hit alone). */
export class HitRefused extends Error {
  override readonly name = 'HitRefused';
}
