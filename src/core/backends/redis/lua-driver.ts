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
 * ARGV = now ('' = use server TIME), dry ('1'/'0'), ttlPadMs, C, the costs
 *        in C arguments (each a cost, one hit; or -n then a cost: n hits of
 *        that cost), NP, then per rate: L, P, param_1..param_NP, then NA,
 *        arg_1..arg_NA.
 * Reply = one string of comma-separated integers (cheaper for Redis to send
 *        than an array), run-length coded: records "k, x_1..x_W" for k = 1,
 *        "k, x_1..x_W, d_1..d_W" for k > 1: k hits in a row, the first
 *        deciding x, each later one the previous plus d (a list of 1,000
 *        admitted hits is one record: `remaining` going down by the cost).
 *        x, for each rate: allowed (1/0), limit, remaining, retryAfterMs
 *        (-1 = Infinity), resetAfterMs, delayMs; W = 6 * rates. A hit that
 *        stores nothing leaves the state as it was, so the next hits of the
 *        same cost are not stepped again: they get the same decision.
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
local C = tonumber(ARGV[4])
local at = 5 + C
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
-- The costs: ARGV[5..4+C], each a cost (one hit) or -n followed by a cost (n hits of that cost).
local costAt = 5
local function nextCosts()
  local c = tonumber(ARGV[costAt])
  if c < 0 then
    costAt = costAt + 2
    return tonumber(ARGV[costAt - 1]), -c
  end
  costAt = costAt + 1
  return c, 1
end
-- The reply, run-length coded: records "k,x_1..x_W" (k = 1) or "k,x_1..x_W,d_1..d_W" (k > 1):
-- k hits, the first deciding x (for each rate: allowed 1/0, limit, remaining, retryAfterMs with
-- -1 = Infinity, resetAfterMs, delayMs; W = 6 * R), each later one x plus d once more.
local out, n = {}, 0

if R == 1 then
  -- One rate (the common case): no all-or-nothing bookkeeping, no tables per hit.
  local L, P, params = tonumber(ARGV[at]), tonumber(ARGV[at + 1]), readParams()
  at = at + 2 + NP
  local args = readArgs()
  local state = readState(KEYS[1])
  local step = strategy.step
  local ttl
  -- The open record: k hits from t, each after the first adding d; q = what the next hit must decide to join it.
  -- (Node adds d the same way, in doubles, so it rebuilds exactly the values compared with q here.)
  local k = 0
  local t1, t2, t3, t4, t5, t6, d1, d2, d3, d4, d5, d6, q1, q2, q3, q4, q5, q6
  local function close()
    n = n + 1
    if k == 1 then
      out[n] = format('1,%d,%d,%d,%d,%d,%d', t1, t2, t3, t4, t5, t6)
    else
      out[n] = format('%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d', k, t1, t2, t3, t4, t5, t6, d1, d2, d3, d4, d5, d6)
    end
  end
  -- Adds one hit deciding x, which does not join the open record as it stands.
  local function push(x1, x2, x3, x4, x5, x6)
    if k == 1 then
      local e1, e2, e3, e4, e5, e6 = x1 - t1, x2 - t2, x3 - t3, x4 - t4, x5 - t5, x6 - t6
      -- A step is kept only when it is a safe integer (then this subtraction is exact).
      if e1 <= MAX_SAFE and e1 >= -MAX_SAFE and e2 <= MAX_SAFE and e2 >= -MAX_SAFE and e3 <= MAX_SAFE and e3 >= -MAX_SAFE
        and e4 <= MAX_SAFE and e4 >= -MAX_SAFE and e5 <= MAX_SAFE and e5 >= -MAX_SAFE and e6 <= MAX_SAFE and e6 >= -MAX_SAFE then
        d1, d2, d3, d4, d5, d6 = e1, e2, e3, e4, e5, e6
        q1, q2, q3, q4, q5, q6 = x1 + e1, x2 + e2, x3 + e3, x4 + e4, x5 + e5, x6 + e6
        k = 2
        return
      end
    end
    if k > 0 then close() end
    t1, t2, t3, t4, t5, t6 = x1, x2, x3, x4, x5, x6
    k = 1
  end
  -- Adds \`times\` more hits deciding x, what the last hit decided: a step of zero.
  local function again(times, x1, x2, x3, x4, x5, x6)
    if k == 1 then
      k = 1 + times
    elseif d1 == 0 and d2 == 0 and d3 == 0 and d4 == 0 and d5 == 0 and d6 == 0 then
      k = k + times
      return
    else
      close()
      t1, t2, t3, t4, t5, t6 = x1, x2, x3, x4, x5, x6
      k = times
    end
    d1, d2, d3, d4, d5, d6 = 0, 0, 0, 0, 0, 0
    q1, q2, q3, q4, q5, q6 = x1, x2, x3, x4, x5, x6
  end
  -- A hit that stores nothing leaves the state as it was, so the next hits of the same cost get the same decision.
  local unchanged, lastCost = false, -1
  local a, limit, remaining, retry, reset, delay
  while costAt < 5 + C do
    local cost, times = nextCosts()
    if unchanged and cost == lastCost then
      again(times, a, limit, remaining, retry, reset, delay)
    else
      lastCost = cost
      for m = 1, times do
        local allowed, newState, newTtl, store
        allowed, limit, remaining, retry, reset, delay, newState, newTtl, store = step(state, now, cost, L, P, params, args)
        if retry == INF then retry = -1 end
        if allowed then a = 1 else a = 0 end
        -- The usual case inline (no call): this hit joins the open record.
        if k >= 2 and a == q1 and limit == q2 and remaining == q3 and retry == q4 and reset == q5 and delay == q6 then
          k = k + 1
          q1, q2, q3, q4, q5, q6 = a + d1, limit + d2, remaining + d3, retry + d4, reset + d5, delay + d6
        else
          push(a, limit, remaining, retry, reset, delay)
        end
        if allowed and not dry and (cost > 0 or store) then
          state = newState
          ttl = newTtl
          unchanged = false
        else
          unchanged = true
          if m < times then again(times - m, a, limit, remaining, retry, reset, delay) end
          break
        end
      end
    end
  end
  if k > 0 then close() end
  if ttl ~= nil then redis.call('SET', KEYS[1], strategy.serialize(state), 'PX', ttl + ttlPad) end
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
local W = 6 * R
-- The open record: k hits from t, step d; p = its last hit (tables of W integers).
local k, t, d, p = 0, nil, nil, nil
local function close()
  n = n + 1
  out[n] = k
  for f = 1, W do
    n = n + 1
    out[n] = format('%d', t[f])
  end
  if k > 1 then
    for f = 1, W do
      n = n + 1
      out[n] = format('%d', d[f])
    end
  end
end
local function push(x)
  local extend = k >= 2
  if extend then
    for f = 1, W do
      if x[f] - p[f] ~= d[f] then
        extend = false
        break
      end
    end
  end
  if extend then
    k = k + 1
  else
    local e = nil
    if k == 1 then
      e = {}
      for f = 1, W do
        local v = x[f] - p[f]
        if v > MAX_SAFE or v < -MAX_SAFE then
          e = nil
          break
        end
        e[f] = v
      end
    end
    if e ~= nil then
      d = e
      k = 2
    else
      if k > 0 then close() end
      t = x
      k = 1
    end
  end
  p = x
end
local ZERO = {}
for f = 1, W do ZERO[f] = 0 end
local function again(times)
  local zero = k >= 2
  if zero then
    for f = 1, W do
      if d[f] ~= 0 then
        zero = false
        break
      end
    end
  end
  if k == 1 then
    d = ZERO
    k = 1 + times
  elseif zero then
    k = k + times
  else
    close()
    t = p
    d = ZERO
    k = times
  end
end
local unchanged, lastCost, x = false, -1, nil
while costAt < 5 + C do
  local cost, times = nextCosts()
  while times > 0 do
    if unchanged and cost == lastCost then
      again(times)
      times = 0
    else
      local res = {}
      local all, force = true, false
      for i = 1, R do
        local r = { strategy.step(states[i], now, cost, Ls[i], Ps[i], params[i], args) }
        res[i] = r
        if not r[1] then all = false end
        if r[9] then force = true end
      end
      unchanged = true
      if all then
        if not dry and (cost > 0 or force) then
          for i = 1, R do
            states[i] = res[i][7]
            ttls[i] = res[i][8]
          end
          unchanged = false
        end
      else
        for i = 1, R do
          if res[i][1] then res[i] = { strategy.step(states[i], now, 0, Ls[i], Ps[i], params[i], args) } end
        end
      end
      x = {}
      for i = 1, R do
        local r = res[i]
        local retry = r[4]
        if retry == INF then retry = -1 end
        local f = 6 * (i - 1)
        x[f + 1] = r[1] and 1 or 0
        x[f + 2] = r[2]
        x[f + 3] = r[3]
        x[f + 4] = retry
        x[f + 5] = r[5]
        x[f + 6] = r[6]
      end
      lastCost = cost
      push(x)
      times = times - 1
    end
  end
end
if k > 0 then close() end
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
  const argv: (string | number)[] = [now === undefined ? '' : now, dryRun ? '1' : '0', ttlPadMs, 0];
  // Runs of one cost (a list's items) go as -n, cost: three or more hits in two arguments.
  for (let j = 0; j < costs.length; ) {
    const cost = costs[j]!;
    let end = j + 1;
    while (end < costs.length && costs[end] === cost) end++;
    if (end - j >= 3) argv.push(j - end, cost);
    else for (let m = j; m < end; m++) argv.push(cost);
    j = end;
  }
  argv[3] = argv.length - 4;
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

/** Decodes the driver's reply (see the layout above) into `result[hit][rate]` decisions. Throws `TypeError` for a reply of the wrong shape. */
export function decodeReply(reply: unknown, hits: number, rates: number): StepDecision[][] {
  const bad = (): TypeError => unexpectedReply(reply);
  if (typeof reply !== 'string') throw bad();
  const fields = reply.split(',');
  const width = 6 * rates;
  const x = new Array<number>(width);
  const d = new Array<number>(width);
  const result: StepDecision[][] = new Array(hits);
  let h = 0;
  let at = 0;
  while (at < fields.length) {
    const k = Number(fields[at]);
    const end = at + 1 + (k > 1 ? 2 * width : width);
    if (!Number.isSafeInteger(k) || k < 1 || h + k > hits || end > fields.length) throw bad();
    let still = true;
    for (let f = 0; f < width; f++) {
      x[f] = Number(fields[at + 1 + f]);
      if (k > 1) {
        d[f] = Number(fields[at + 1 + width + f]);
        if (d[f] !== 0) still = false;
      }
    }
    if (!x.every(Number.isInteger) || (k > 1 && !d.every(Number.isSafeInteger))) throw bad();
    at = end;
    if (still) {
      // The same decision k times (denied hits, say): one row shared by all.
      const row = rates === 1 ? [decodeDecision(x, 0)] : decodeRow(x, rates);
      for (let m = 0; m < k; m++) result[h++] = row;
      continue;
    }
    for (let m = 0; m < k; m++) {
      if (m > 0) for (let f = 0; f < width; f++) x[f]! += d[f]!;
      result[h++] = rates === 1 ? [decodeDecision(x, 0)] : decodeRow(x, rates);
    }
  }
  if (h !== hits) throw bad();
  return result;
}

function decodeRow(x: readonly number[], rates: number): StepDecision[] {
  const row: StepDecision[] = new Array(rates);
  for (let i = 0; i < rates; i++) row[i] = decodeDecision(x, 6 * i);
  return row;
}

function decodeDecision(x: readonly number[], at: number): StepDecision {
  const retry = x[at + 3]!;
  return {
    allowed: x[at] === 1,
    limit: x[at + 1]!,
    remaining: x[at + 2]!,
    retryAfterMs: retry === -1 ? Infinity : retry,
    resetAfterMs: x[at + 4]!,
    delayMs: x[at + 5]!,
  };
}

/** The error for a script reply of the wrong shape (a `TypeError`: bad data, mapped to `BackendError`), quoting its start. */
export function unexpectedReply(reply: unknown): TypeError {
  return new TypeError(`unexpected script reply ${JSON.stringify(reply)?.slice(0, 120)}`);
}
