/**
 * The one Lua driver every strategy's Lua twin runs under.
 *
 * How a strategy plugs in: give it a `lua: LuaStep` (src/core/strategies/
 * lua-step.ts): Lua source returning `{ parse, step, serialize }`, plus
 * optional per-rate `params(rate)`. Put the Lua beside the TypeScript step
 * (e.g. fixed-window.lua.ts next to fixed-window.ts) and write it in the same
 * arithmetic order. The driver below wraps it as
 * `PRELUDE + "local strategy = (function() <source> end)()" + DRIVER`, one
 * script per distinct source (cached by SHA-1, EVALSHA with an EVAL fallback).
 * The driver, not the twin, owns everything a backend owns: server TIME,
 * reading and parsing the keys, `runSteps`' all-or-nothing rule across
 * rates, dry runs, batches of hits, and writing with a TTL.
 *
 * Script call: KEYS = one state key per rate (all in one hash-tag slot).
 * ARGV = now ('' = use server TIME), dry ('1'/'0'), ttlPadMs, H, cost_1..cost_H,
 *        NP, then per rate: L, P, param_1..param_NP, then NA, arg_1..arg_NA.
 * Reply = one string of comma-separated integers (cheaper for Redis to send
 *        than an array): for each hit, for each rate: allowed (1/0), limit,
 *        remaining, retryAfterMs (-1 = Infinity), resetAfterMs, delayMs.
 */
import { createHash } from 'node:crypto';
import type { StepDecision } from '../../decision.js';
import type { Rate } from '../../rate.js';
import { LUA_PRELUDE } from '../../strategies/integer-math.lua.js';
import type { LuaStep } from '../../strategies/lua-step.js';
import type { StepArgs } from '../../strategies/strategy.js';

const DRIVER = `
local R = #KEYS
local now = tonumber(ARGV[1])
if now == nil then
  -- Redis < 7 replicates scripts verbatim unless told to replicate effects (needed after TIME).
  if redis.REDIS_VERSION_NUM == nil and redis.replicate_commands then redis.replicate_commands() end
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local dry = ARGV[2] == '1'
local ttlPad = tonumber(ARGV[3])
local H = tonumber(ARGV[4])
local at = 5 + H
local NP = tonumber(ARGV[at])
at = at + 1
local EMPTY = {}
local format = string.format
local function readParams()
  if NP == 0 then return EMPTY end
  local p = {}
  for k = 1, NP do p[k] = tonumber(ARGV[at + 1 + k]) end
  return p
end
local function readArgs()
  local NA = tonumber(ARGV[at])
  if NA == 0 then return EMPTY end
  local args = {}
  for k = 1, NA do args[k] = ARGV[at + k] end
  return args
end
local function readState(key)
  local text = redis.call('GET', key)
  if not text then return nil end
  local s = strategy.parse(text)
  if s == nil then error({ err = 'TRAFFIK_BAD_STATE ' .. key }) end
  return s
end

if R == 1 then
  -- One rate (the common case): no all-or-nothing bookkeeping, no tables per hit.
  local L, P, params = tonumber(ARGV[at]), tonumber(ARGV[at + 1]), readParams()
  at = at + 2 + NP
  local args = readArgs()
  local state = readState(KEYS[1])
  local ttl
  local out = {}
  for h = 1, H do
    local cost = tonumber(ARGV[4 + h])
    local a, limit, remaining, retry, reset, delay, newState, newTtl, store = strategy.step(state, now, cost, L, P, params, args)
    if a and not dry and (cost > 0 or store) then
      state = newState
      ttl = newTtl
    end
    if retry == INF then retry = -1 end
    out[h] = format('%d,%d,%d,%d,%d,%d', a and 1 or 0, limit, remaining, retry, reset, delay)
  end
  if ttl ~= nil then redis.call('SET', KEYS[1], strategy.serialize(state), 'PX', ttl + ttlPad) end
  if H == 1 then return out[1] end
  return table.concat(out, ',')
end

-- Several rates: every hit is all-or-nothing across them (run-steps.ts).
local Ls, Ps, params = {}, {}, {}
for i = 1, R do
  Ls[i] = tonumber(ARGV[at])
  Ps[i] = tonumber(ARGV[at + 1])
  params[i] = readParams()
  at = at + 2 + NP
end
local args = readArgs()
local states, ttls = {}, {}
for i = 1, R do states[i] = readState(KEYS[i]) end
local out = {}
local n = 0
for h = 1, H do
  local cost = tonumber(ARGV[4 + h])
  local res = {}
  local all, force = true, false
  for i = 1, R do
    local r = { strategy.step(states[i], now, cost, Ls[i], Ps[i], params[i], args) }
    res[i] = r
    if not r[1] then all = false end
    if r[9] then force = true end
  end
  if all then
    if not dry and (cost > 0 or force) then
      for i = 1, R do
        states[i] = res[i][7]
        ttls[i] = res[i][8]
      end
    end
  else
    for i = 1, R do
      if res[i][1] then res[i] = { strategy.step(states[i], now, 0, Ls[i], Ps[i], params[i], args) } end
    end
  end
  for i = 1, R do
    local r = res[i]
    local retry = r[4]
    if retry == INF then retry = -1 end
    n = n + 1
    out[n] = format('%d,%d,%d,%d,%d,%d', r[1] and 1 or 0, r[2], r[3], retry, r[5], r[6])
  end
end
for i = 1, R do
  if ttls[i] ~= nil then redis.call('SET', KEYS[i], strategy.serialize(states[i]), 'PX', ttls[i] + ttlPad) end
end
return table.concat(out, ',')
`;

/** A script ready to run: its source and the SHA-1 Redis knows it by. */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

/** Builds a `Script` from Lua source. */
export function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

const driverScripts = new Map<string, Script>();

/** The full script (prelude + twin + driver) for one Lua twin, built once per distinct source. */
export function driverScript(lua: LuaStep): Script {
  let found = driverScripts.get(lua.source);
  if (found === undefined) {
    found = script(`${LUA_PRELUDE}\nlocal strategy = (function()\n${lua.source}\nend)()\n${DRIVER}`);
    driverScripts.set(lua.source, found);
  }
  return found;
}

/** Encodes a request as the driver's ARGV (see the layout above). */
export function driverArgs(
  lua: LuaStep, rates: readonly Rate[], costs: readonly number[], now: number | undefined,
  dryRun: boolean, ttlPadMs: number, args: StepArgs | undefined,
): (string | number)[] {
  const argv: (string | number)[] = [now === undefined ? '' : now, dryRun ? '1' : '0', ttlPadMs, costs.length, ...costs];
  if (lua.params === undefined) {
    argv.push(0);
    for (const rate of rates) argv.push(rate.limit, rate.periodMs);
  } else {
    let count = -1;
    const perRate: (readonly number[])[] = rates.map((rate) => lua.params!(rate));
    for (const p of perRate) {
      if (count !== -1 && p.length !== count) throw new TypeError('LuaStep.params must return the same count for every rate');
      count = p.length;
    }
    argv.push(Math.max(count, 0));
    rates.forEach((rate, i) => argv.push(rate.limit, rate.periodMs, ...perRate[i]!));
  }
  argv.push(args?.length ?? 0);
  if (args !== undefined) for (const a of args) argv.push(a);
  return argv;
}

/** Decodes the driver's reply into `result[hit][rate]` decisions. Throws `TypeError` for a reply of the wrong shape. */
export function decodeReply(reply: unknown, hits: number, rates: number): StepDecision[][] {
  const fields = typeof reply === 'string' ? reply.split(',') : [];
  if (fields.length !== hits * rates * 6) {
    throw new TypeError(`unexpected script reply ${JSON.stringify(reply)?.slice(0, 120)}`);
  }
  const result: StepDecision[][] = [];
  let at = 0;
  for (let h = 0; h < hits; h++) {
    const row: StepDecision[] = [];
    for (let i = 0; i < rates; i++) {
      const retry = Number(fields[at + 3]);
      row.push({
        allowed: fields[at] === '1',
        limit: Number(fields[at + 1]),
        remaining: Number(fields[at + 2]),
        retryAfterMs: retry === -1 ? Infinity : retry,
        resetAfterMs: Number(fields[at + 4]),
        delayMs: Number(fields[at + 5]),
      });
      at += 6;
    }
    result.push(row);
  }
  return result;
}
