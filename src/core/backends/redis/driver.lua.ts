/**
 * The general driver: every hit the many-hits script (many-hits.lua.ts)
 * does not take: several rates, dry runs, per-hit args, batches of hits,
 * rates past the baked ones. Runs after the prelude, the twin (twinStep and
 * the rest, script-source.ts) and STATE_IO.
 *
 * Script call: KEYS = one state key per rate (all in one hash-tag slot).
 * ARGV = now ('' = use server TIME), mode ('dry' for a dry run of hits, else
 *        the op: 'hit', 'charge' or 'refund'), ttlPadMs, C, the costs
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
 *        lua-driver.ts encodes the ARGV and decodes the reply.
 */
export const DRIVER_LUA = `
local R = #KEYS
local now = scriptNow(ARGV[1])
-- ARGV[2]: 'dry' (a dry run of hits), or the op: 'hit', 'charge' or 'refund'.
local op = ARGV[2]
local dry = op == 'dry'
if dry then op = 'hit' end
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
  local state, bad = loadState(KEYS[1])
  if bad then error({ err = bad }) end
  local step = twinStep
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
        allowed, limit, remaining, retry, reset, delay, newState, newTtl, store = step(state, now, cost, L, P, params, args, op)
        if retry == INF then retry = -1 end
        if allowed then a = 1 else a = 0 end
        -- The usual case inline (no call): this hit joins the open record.
        if k >= 2 and a == q1 and limit == q2 and remaining == q3 and retry == q4 and reset == q5 and delay == q6 then
          k = k + 1
          q1, q2, q3, q4, q5, q6 = a + d1, limit + d2, remaining + d3, retry + d4, reset + d5, delay + d6
        else
          push(a, limit, remaining, retry, reset, delay)
        end
        if not dry and stores(allowed, cost, store) then
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
  if ttl ~= nil then saveState(KEYS[1], state, ttl + ttlPad) end
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
for i = 1, R do
  local s, bad = loadState(KEYS[i])
  if bad then error({ err = bad }) end
  states[i] = s
end
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
      -- The store rule of run-steps.ts across rates: all allow, and the cost or one step asks to store.
      for i = 1, R do
        local r = { twinStep(states[i], now, cost, Ls[i], Ps[i], params[i], args, op) }
        res[i] = r
        if not r[1] then all = false end
        if r[9] == true then force = true end
      end
      unchanged = true
      if all then
        if not dry and stores(true, cost, force) then
          for i = 1, R do
            states[i] = res[i][7]
            ttls[i] = res[i][8]
          end
          unchanged = false
        end
      else
        for i = 1, R do
          if res[i][1] then res[i] = { twinStep(states[i], now, 0, Ls[i], Ps[i], params[i], args) } end
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
  if ttls[i] ~= nil then saveState(KEYS[i], states[i], ttls[i] + ttlPad) end
end
return table.concat(out, ',')
`;
