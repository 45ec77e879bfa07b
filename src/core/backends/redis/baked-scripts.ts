/**
 * The fast path's scripts: the many-hits script (many-hits.lua.ts) for one
 * Lua twin with one rate (L, P), the twin's params for that rate and the TTL
 * pad written in as literals, so a hit sends only its cost (and its now,
 * with a backend clock): Redis converts, and Node writes, two to seven
 * fewer arguments per hit (bench rows "traffik token bucket" and the other
 * strategies with params, at 64 in flight). Also the encoding of one hit's
 * cost and the decoding of one hit's six values in the reply.
 */
import type { StepDecision } from '../../decision.js';
import type { Rate } from '../../rate.js';
import type { LuaStep } from '../../strategies/lua-step.js';
import type { StepOp } from '../../strategies/strategy.js';
import { unexpectedReply } from './lua-driver.js';
import { MANY_HITS_LUA } from './many-hits.lua.js';
import { script, withTwin, type Script } from './script-source.js';

/** Most (twin, rate, params) triples one `BakedHitScripts` writes scripts for; beyond, hits take the general driver (the server's script cache stays bounded even with rates computed per identity). */
export const MAX_BAKED_RATES = 64;

/** The many-hits script of one baked rate. */
export interface BakedScripts {
  /** ARGV = mode, then per hit cost, [now] (many-hits.lua.ts). */
  readonly many: Script;
}

/** Params a script can carry as Lua literals: finite numbers (a Lua number literal reads back the same double). */
function literal(params: readonly number[]): string | undefined {
  if (params.length === 0) return 'EMPTY';
  for (const p of params) if (typeof p !== 'number' || !Number.isFinite(p)) return undefined;
  return `{ ${params.map((p) => String(p)).join(', ')} }`;
}

/** The many-hits script's text for one twin, one rate and its params. */
function manyHitsSource(lua: LuaStep, params: string, limit: number, periodMs: number, ttlPadMs: number): string {
  const driver = MANY_HITS_LUA.replace('LIMIT', String(limit))
    .replace('PERIOD', String(periodMs))
    .replace('PAD', String(ttlPadMs))
    .replace('PARAMS', params);
  return withTwin(lua, driver);
}

/** One hit's cost as the many-hits script reads it: the number for op 'hit', '<op>:<cost>' otherwise. */
export function hitCost(cost: number, op: StepOp | undefined): number | string {
  return op === undefined || op === 'hit' ? cost : `${op}:${cost}`;
}

/** Marks a (twin, rate) pair that cannot be baked (too many rates, numbers out of range). */
const NOT_BAKED = null;

/**
 * Many-hits scripts with the rate and the params written in, one per (twin
 * source, L, P, params), for one TTL pad (one per backend), at most
 * `MAX_BAKED_RATES` of them. The params of a (twin, rate) pair are asked
 * for once (`LuaStep.params` is a function of the rate) and remembered with
 * the `Rate` object, so a hit of a throttle's fixed rate finds its script
 * with two lookups.
 */
export class BakedHitScripts {
  /** Baked scripts by twin source, then by `L/P:params`: the script's text is built only for a new one. */
  private readonly bySource = new Map<string, Map<string, BakedScripts>>();
  private count = 0;
  private readonly byRate = new WeakMap<LuaStep, WeakMap<Rate, BakedScripts | typeof NOT_BAKED>>();

  constructor(private readonly ttlPadMs: number) {}

  /** The baked scripts of `lua` on `rate`, or undefined when the limit of baked rates is reached or a number cannot be written in. */
  get(lua: LuaStep, rate: Rate): BakedScripts | undefined {
    let byRate = this.byRate.get(lua);
    if (byRate === undefined) {
      byRate = new WeakMap();
      this.byRate.set(lua, byRate);
    }
    let found = byRate.get(rate);
    if (found === undefined) {
      found = this.bake(lua, rate);
      byRate.set(rate, found);
    }
    return found ?? undefined;
  }

  private bake(lua: LuaStep, rate: Rate): BakedScripts | typeof NOT_BAKED {
    const { limit, periodMs } = rate;
    const params = literal(lua.params === undefined ? [] : lua.params(rate));
    if (params === undefined || !Number.isSafeInteger(limit) || !Number.isSafeInteger(periodMs) || !Number.isSafeInteger(this.ttlPadMs)) return NOT_BAKED;
    let ofSource = this.bySource.get(lua.source);
    if (ofSource === undefined) {
      ofSource = new Map();
      this.bySource.set(lua.source, ofSource);
    }
    const key = `${limit}/${periodMs}:${params}`;
    let found = ofSource.get(key);
    if (found === undefined) {
      if (this.count >= MAX_BAKED_RATES) return NOT_BAKED;
      found = { many: script(manyHitsSource(lua, params, limit, periodMs, this.ttlPadMs)) };
      ofSource.set(key, found);
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
