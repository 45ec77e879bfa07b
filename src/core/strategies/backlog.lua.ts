import type { LuaStep } from './lua-step.js';

/**
 * Lua twins of backlog.ts's `parseBacklog`, `drainBacklog` and `backlogTime`
 * and of the "y,last" serialization: shared by the bucket family, GCRA and
 * the priority strategy (priority.lua.ts), as the TypeScript steps share them.
 */
export const BACKLOG_HELPERS = `
local function parse(text)
  local y, last = parsePair(text)
  if y == nil or y < 0 then return nil end
  return { y = y, last = last }
end
local function serialize(s)
  return string.format('%d,%d', s.y, s.last)
end
local function drainBacklog(state, now, L)
  if state == nil then return 0 end
  local elapsed = now - state.last
  if elapsed <= 0 then return state.y end
  local drained = elapsed * L
  if drained >= state.y then return 0 end
  return state.y - drained
end
local function backlogTime(state, now)
  if state ~= nil and state.last > now then return state.last end
  return now
end
`;

/**
 * The Lua twin of `BacklogStrategy.step` (backlog.ts): token bucket, token
 * bucket with debt, leaky bucket and leaky bucket with queue. Params per
 * rate: capacity K, reported limit, 1 when allowed hits carry `delayMs`, and
 * the rate reduced by gcd(L, P) (L', P'), which the formulas use in place of L and P.
 */
export const BACKLOG_LUA: LuaStep = {
  source: `${BACKLOG_HELPERS}
local function step(state, now, cost, fullL, fullP, params, args, op)
  local K = params[1]
  local limit = params[2]
  local L = params[4]
  local P = params[5]
  local y0 = drainBacklog(state, now, L)
  local last = backlogTime(state, now)
  local ahead = last - now
  local forced = op ~= nil and op ~= 'hit'
  if forced or cost == 0 or (cost <= K and y0 + cost * P <= K * P) then
    local y = mathMin(MAX_SAFE, y0 + cost * P)
    if op == 'refund' then y = mathMax(0, y0 - cost * P) end
    local reset = ahead + ceilDiv(y, L)
    local delay = 0
    if params[3] == 1 and not forced then delay = ahead + ceilDiv(y0, L) end
    return true, limit, mathMax(0, floorDiv(K * P - y, P)), 0, reset, delay, { y = y, last = last }, mathMax(1, reset)
  end
  local reset = ahead + ceilDiv(y0, L)
  local retry = INF
  if cost <= K then retry = ahead + ceilDiv(y0 + cost * P - K * P, L) end
  return false, limit, mathMax(0, floorDiv(K * P - y0, P)), retry, reset, 0, { y = y0, last = last }, mathMax(1, reset)
end
return { parse = parse, step = step, serialize = serialize }
`,
};

/**
 * The Lua twin of `GCRAStrategy.step` (gcra.ts). Params per rate: tau
 * (burstToleranceMs) and the rate reduced by gcd(L, P) (L', P').
 */
export const GCRA_LUA: LuaStep = {
  source: `${BACKLOG_HELPERS}
local function step(state, now, cost, fullL, fullP, params, args, op)
  local L = params[2]
  local P = params[3]
  local slack = params[1] * L
  local limit = floorDiv(slack, P) + 1
  local y0 = drainBacklog(state, now, L)
  local last = backlogTime(state, now)
  local ahead = last - now
  if cost == 0 or y0 <= slack or (op ~= nil and op ~= 'hit') then
    local y = mathMin(MAX_SAFE, y0 + cost * P)
    if op == 'refund' then y = mathMax(0, y0 - cost * P) end
    local reset = ahead + ceilDiv(y, L)
    return true, limit, mathMax(0, floorDiv(slack - y, P) + 1), 0, reset, 0, { y = y, last = last }, mathMax(1, reset)
  end
  local reset = ahead + ceilDiv(y0, L)
  return false, limit, mathMax(0, floorDiv(slack - y0, P) + 1), ahead + ceilDiv(y0 - slack, L), reset, 0, { y = y0, last = last }, mathMax(1, reset)
end
return { parse = parse, step = step, serialize = serialize }
`,
};
