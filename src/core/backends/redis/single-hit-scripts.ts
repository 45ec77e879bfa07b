/**
 * The single-hit scripts: one hit (not a dry run, no per-hit args) on one
 * rate, the common case, run without the general driver's loops and tables
 * (lua-driver.ts holds the general driver). Each script is built from one
 * Lua twin; a baked script also has the rate written in as literals, and
 * comes with a many-hits form that runs the same rule for several keys in
 * one call (the coalesced hits of one tick, hit-coalescer.ts).
 */
import type { StepDecision } from '../../decision.js';
import { LUA_PRELUDE } from '../../strategies/integer-math.lua.js';
import type { LuaStep } from '../../strategies/lua-step.js';
import { script, unexpectedReply, type Script } from './lua-driver.js';

/**
 * The single-hit driver: one hit (not a dry run, no per-hit args) on one
 * rate, the common case, with none of the general driver's loops, tables or
 * helper closures. Same rule as DRIVER's `R == 1` branch for `H == 1`.
 * ARGV = now ('' = server TIME), cost, ttlPadMs, L, P, param_1..param_NP;
 * a script with the rate baked in (LIMIT, PERIOD, PAD as literals) takes
 * only now, cost, param_1..param_NP.
 * Reply: an array of the same six integers (no formatting in Lua, no
 * splitting in Node: Redis and the client's parser handle integers natively).
 */
const SINGLE_HIT_DRIVER = `
local now = tonumber(ARGV[1])
if now == nil then
  if redis.REDIS_VERSION_NUM == nil and redis.replicate_commands then redis.replicate_commands() end
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local cost = tonumber(ARGV[2])
local EMPTY = {}
local state = nil
local text = redis.call('GET', KEYS[1])
if text then
  state = twinParse(text)
  if state == nil then error({ err = 'TRAFFIK_BAD_STATE ' .. KEYS[1] }) end
end
local a, limit, remaining, retry, reset, delay, newState, ttl, store = twinStep(state, now, cost, LIMIT, PERIOD, PARAMS, EMPTY)
-- The TTL goes as text: Redis turns a Lua number argument into text with a slow %.17g.
if a and (cost > 0 or store) then redis.call('SET', KEYS[1], twinSerialize(newState), 'PX', string.format('%d', ttl + PAD)) end
if retry == INF then retry = -1 end
return { a and 1 or 0, limit, remaining, retry, reset, delay }
`;

/**
 * The many-hits driver: the single-hit rule run once per key of KEYS, in
 * order, in one script (the hits of one tick that share a baked script,
 * coalesced by `HitCoalescer`). Each hit reads the state the previous ones
 * wrote, so the decisions are those of the same hits sent one by one at the
 * same server time. Only with the rate baked in (LIMIT, PERIOD, PAD).
 * ARGV = mode ('' = one server TIME for all hits, '1' = each hit's now
 *        follows its cost), then per hit: cost, [now], param_1..param_NP.
 * Reply: six values per hit, as the single-hit reply; a hit whose key holds
 * something else (another type, text the twin cannot parse) gets the error
 * text in place of `allowed` (and zeros) and changes nothing, while the
 * other hits go on.
 */
const MANY_HITS_DRIVER = `
local perHitNow = ARGV[1] == '1'
local now
if not perHitNow then
  if redis.REDIS_VERSION_NUM == nil and redis.replicate_commands then redis.replicate_commands() end
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local EMPTY = {}
local format = string.format
local out = {}
local n = 0
local at = 2
for h = 1, #KEYS do
  local key = KEYS[h]
  local cost = tonumber(ARGV[at])
  at = at + 1
  if perHitNow then
    now = tonumber(ARGV[at])
    at = at + 1
  end
  local params = PARAMS
  at = at + NP
  local text = redis.pcall('GET', key)
  local state = nil
  local bad = nil
  if type(text) == 'table' then
    bad = text.err or 'unexpected reply to GET'
  elseif text then
    state = twinParse(text)
    if state == nil then bad = 'TRAFFIK_BAD_STATE ' .. key end
  end
  if bad then
    out[n + 1], out[n + 2], out[n + 3], out[n + 4], out[n + 5], out[n + 6] = bad, 0, 0, 0, 0, 0
  else
    local a, limit, remaining, retry, reset, delay, newState, ttl, store = twinStep(state, now, cost, LIMIT, PERIOD, params, EMPTY)
    if a and (cost > 0 or store) then redis.call('SET', key, twinSerialize(newState), 'PX', format('%d', ttl + PAD)) end
    if retry == INF then retry = -1 end
    out[n + 1], out[n + 2], out[n + 3], out[n + 4], out[n + 5], out[n + 6] = a and 1 or 0, limit, remaining, retry, reset, delay
  end
  n = n + 6
end
return out
`;

/** A twin's usual last line; such a twin can run inline at the script's top level (no wrapper closure, no table). */
const TWIN_RETURN = /\n\s*return\s*\{\s*parse\s*=\s*parse\s*,\s*step\s*=\s*step\s*,\s*serialize\s*=\s*serialize\s*,?\s*\}\s*$/;

/** The prelude split into its top-level definitions (`local NAME ...` up to the next one), in order. */
const PRELUDE_PARTS: readonly { name: string; text: string }[] = LUA_PRELUDE.split(/\n(?=local )/).filter((t) => t.trim() !== '').map((text) => ({
  name: /^\s*local (?:function )?([A-Za-z_]\w*)/.exec(text)?.[1] ?? '',
  text,
}));

/** Only the prelude definitions `body` refers to (and what those refer to): each one is a closure Redis would build on every call. */
function preludeFor(body: string): string {
  const uses = (text: string, name: string) => new RegExp(`\\b${name}\\b`).test(text);
  const needed = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const part of PRELUDE_PARTS) {
      if (needed.has(part.name)) continue;
      if (uses(body, part.name) || PRELUDE_PARTS.some((other) => needed.has(other.name) && other !== part && uses(other.text, part.name))) {
        needed.add(part.name);
        grew = true;
      }
    }
  }
  return PRELUDE_PARTS.filter((part) => needed.has(part.name)).map((part) => part.text).join('\n');
}

/** Single-hit scripts by twin source, then by param count (two lookups: no key string built per hit). */
const singleHitScripts = new Map<string, Script[]>();

/** A Lua table constructor of `count` numbers read from ARGV from index `first` (`first` a Lua expression), or EMPTY. */
function paramsTable(count: number, first: (k: number) => string): string {
  return count === 0 ? 'EMPTY' : `{ ${Array.from({ length: count }, (_, k) => `tonumber(ARGV[${first(k)}])`).join(', ')} }`;
}

/** The rate a script is written for. */
interface BakedRate {
  readonly limit: number;
  readonly periodMs: number;
  readonly ttlPadMs: number;
}

/** The single-hit script's text for one twin, with the rate either read from ARGV (`baked` undefined) or written in as literals. */
function singleHitSource(lua: LuaStep, paramCount: number, baked?: BakedRate): string {
  const firstParam = baked === undefined ? 6 : 3;
  const driver = SINGLE_HIT_DRIVER.replace('LIMIT', baked === undefined ? 'tonumber(ARGV[4])' : String(baked.limit))
    .replace('PERIOD', baked === undefined ? 'tonumber(ARGV[5])' : String(baked.periodMs))
    .replace('PAD', baked === undefined ? 'tonumber(ARGV[3])' : String(baked.ttlPadMs))
    .replace('PARAMS', paramsTable(paramCount, (k) => String(firstParam + k)));
  return withTwin(lua, driver);
}

/** The many-hits script's text for one twin and one baked rate. */
function manyHitsSource(lua: LuaStep, paramCount: number, baked: BakedRate): string {
  const driver = MANY_HITS_DRIVER.replace('LIMIT', String(baked.limit))
    .replace('PERIOD', String(baked.periodMs))
    .replace('PAD', String(baked.ttlPadMs))
    .replace('NP', String(paramCount))
    .replace('PARAMS', paramsTable(paramCount, (k) => `at + ${k}`));
  return withTwin(lua, driver);
}

/** `driver` after the twin (inline when it ends with the usual return) and only the prelude both use. */
function withTwin(lua: LuaStep, driver: string): string {
  const twin = TWIN_RETURN.test(lua.source)
    ? `${lua.source.replace(TWIN_RETURN, '')}\nlocal twinParse, twinStep, twinSerialize = parse, step, serialize\n`
    : `local strategy = (function()\n${lua.source}\nend)()\nlocal twinParse, twinStep, twinSerialize = strategy.parse, strategy.step, strategy.serialize\n`;
  return `${preludeFor(twin + driver)}\n${twin}${driver}`;
}

/**
 * The single-hit script for one Lua twin with `paramCount` params per rate:
 * only the prelude it uses, the twin inline when it ends with the usual
 * `return { parse = parse, step = step, serialize = serialize }`, then
 * SINGLE_HIT_DRIVER reading the rate from ARGV. Built once per distinct
 * source and count.
 */
export function singleHitScript(lua: LuaStep, paramCount: number): Script {
  let byCount = singleHitScripts.get(lua.source);
  if (byCount === undefined) {
    byCount = [];
    singleHitScripts.set(lua.source, byCount);
  }
  let found = byCount[paramCount];
  if (found === undefined) {
    found = script(singleHitSource(lua, paramCount));
    byCount[paramCount] = found;
  }
  return found;
}

/**
 * The arguments of a single-hit script call after the script: numKeys (1),
 * the key, then ARGV = now ('' = server TIME), cost, and for a script that
 * reads the rate from ARGV (`rate` given) ttlPadMs, L, P; then the params.
 */
export function singleHitArgs(
  key: string, now: number | undefined, cost: number, params: readonly number[],
  rate?: { readonly limit: number; readonly periodMs: number; readonly ttlPadMs: number },
): (string | number)[] {
  const args: (string | number)[] = [1, key, now ?? '', cost];
  if (rate !== undefined) args.push(rate.ttlPadMs, rate.limit, rate.periodMs);
  for (let k = 0; k < params.length; k++) args.push(params[k]!);
  return args;
}

/** Most rates one `BakedSingleHitScripts` writes scripts for; beyond, hits use the ARGV script (the server's script cache stays bounded even with rates computed per identity). */
export const MAX_BAKED_RATES = 64;

/** The two scripts of one baked rate: for one hit, and for several hits coalesced into one call. */
export interface BakedScripts {
  /** ARGV = now ('' = server TIME), cost, param_1..param_NP (SINGLE_HIT_DRIVER). */
  readonly one: Script;
  /** ARGV = mode, then per hit cost, [now], params (MANY_HITS_DRIVER). */
  readonly many: Script;
  /** Params per hit. */
  readonly paramCount: number;
}

/**
 * Single-hit (and many-hits) scripts with the rate (L, P) and the TTL pad
 * written into the script as literals, so a hit sends only now, cost and
 * the params, and Redis converts three fewer arguments. One pair per (twin
 * source, param count, L, P), for one TTL pad (one per backend), at most
 * `MAX_BAKED_RATES` of them.
 */
export class BakedSingleHitScripts {
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
      const rate = { limit, periodMs, ttlPadMs: this.ttlPadMs };
      found = { one: script(singleHitSource(lua, paramCount, rate)), many: script(manyHitsSource(lua, paramCount, rate)), paramCount };
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
