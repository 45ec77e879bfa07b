import { BACKLOG_HELPERS } from './backlog.lua.js';
import type { LuaStep } from './lua-step.js';

/**
 * The Lua twin of `PriorityStrategy.step` (priority.ts), line for line, on
 * the backlog helpers it shares with the bucket family (backlog.lua.ts).
 * Params per rate: B, the rate reduced by gcd(L, P) (L', P', used in place of L and P), then each level's capacity `K_p` (the strategy computes
 * them with the same integer formula). Args: the level (the lowest when absent).
 */
export const PRIORITY_LUA: LuaStep = {
  source: `${BACKLOG_HELPERS}
local function step(state, now, cost, fullL, fullP, params, args, op)
  local B = params[1]
  local L = params[2]
  local P = params[3]
  local levels = #params - 3
  local level = levels - 1
  if args[1] ~= nil then level = tonumber(args[1]) end
  if level == nil or level ~= math.floor(level) or level < 0 or level >= levels then
    error('PriorityStrategy: step args hold a level outside 0..' .. (levels - 1))
  end
  local K = params[4 + level]
  local y0 = drainBacklog(state, now, L)
  local last = backlogTime(state, now)
  local ahead = last - now
  if cost == 0 or (op ~= nil and op ~= 'hit') or (cost <= K and y0 + cost * P <= K * P) then
    local y = mathMin(MAX_SAFE, y0 + cost * P)
    if op == 'refund' then y = mathMax(0, y0 - cost * P) end
    local reset = ahead + ceilDiv(y, L)
    return true, B, mathMax(0, floorDiv(K * P - y, P)), 0, reset, 0, { y = y, last = last }, mathMax(1, reset)
  end
  local reset = ahead + ceilDiv(y0, L)
  local retry = INF
  if cost <= K then retry = ahead + ceilDiv(y0 + cost * P - K * P, L) end
  return false, B, mathMax(0, floorDiv(K * P - y0, P)), retry, reset, 0, { y = y0, last = last }, mathMax(1, reset)
end
return { parse = parse, step = step, serialize = serialize }
`,
};
