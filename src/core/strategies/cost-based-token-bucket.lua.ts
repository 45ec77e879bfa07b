import type { LuaStep } from './lua-step.js';

/**
 * The Lua twin of `CostBasedTokenBucketStrategy.step`
 * (cost-based-token-bucket.ts), line for line. Params per rate: B, N, the
 * slowest refill (thousandths).
 */
export const COST_BASED_TOKEN_BUCKET_LUA: LuaStep = {
  source: `
local function parse(text)
  local y, last, avg = parseTriple(text)
  if y == nil or y < 0 or avg < 1000 then return nil end
  return { y = y, last = last, avg = avg }
end
local function serialize(s)
  return int(s.y) .. ',' .. int(s.last) .. ',' .. int(s.avg)
end
local function step(state, now, cost, L, P, p)
  local B = p[1]
  local N = p[2]
  local function refill(avg)
    return mathMax(p[3], mathMin(1000, floorDiv(1000000, avg)))
  end
  local y = 0
  local avg = 1000
  local last = now
  local e = 0
  if state ~= nil then
    y = state.y
    avg = state.avg
    if state.last > now then last = state.last end
    e = mathMax(0, now - state.last)
  end
  local speed = L * refill(avg)
  local drainMs = ceilDiv(y * 1000, speed)
  local drained = e >= drainMs
  local y0 = 0
  local avg0 = 1000
  if not drained then
    y0 = y - floorDiv(e * speed, 1000)
    avg0 = avg
  end
  if cost <= B and y0 + cost * P <= B * P then
    local after = y0 + cost * P
    local nextAvg = avg0
    if cost ~= 0 then nextAvg = floorDiv(avg0 * (N - 1) + cost * 1000, N) end
    local reset = ceilDiv(after * 1000, L * refill(nextAvg))
    local s = { y = after, last = last, avg = nextAvg }
    if cost == 0 and state ~= nil then s = state end
    return true, B, floorDiv(B * P - after, P), 0, reset, 0, s, mathMax(1, reset)
  end
  local reset = mathMax(0, drainMs - e)
  local retry = INF
  if cost <= B then retry = ceilDiv((y + cost * P - B * P) * 1000, speed) - e end
  local s = state
  if s == nil then s = { y = 0, last = last, avg = avg } end
  return false, B, mathMax(0, floorDiv(B * P - y0, P)), retry, reset, 0, s, mathMax(1, reset)
end
return { parse = parse, step = step, serialize = serialize }
`,
};
