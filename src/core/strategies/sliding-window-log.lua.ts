import type { LuaStep } from './lua-step.js';

/** The Lua twin of `SlidingWindowLogStrategy.step` (sliding-window-log.ts), line for line. */
export const SLIDING_WINDOW_LOG_LUA: LuaStep = {
  source: `
local function parse(text)
  local times, costs, n, consumed = {}, {}, 0, 0
  if text == '' then return { times = times, costs = costs } end
  for t, c in string.gmatch(text .. ',', '(%-?%d+),(%-?%d+),') do
    local tv, cv = safeInteger(t), safeInteger(c)
    if tv == nil or cv == nil then return nil end
    n = n + 1
    times[n] = tv
    costs[n] = cv
    consumed = consumed + #t + #c + 2
  end
  -- Every character must belong to a "time,cost," pair: nothing skipped.
  if consumed ~= #text + 1 then return nil end
  return { times = times, costs = costs }
end
local function serialize(s)
  local parts = {}
  for i = 1, #s.times do parts[i] = string.format('%d,%d', s.times[i], s.costs[i]) end
  return table.concat(parts, ',')
end
local function step(state, now, cost, L, P)
  local times, costs = {}, {}
  local s = 0
  if state ~= nil then
    for i = 1, #state.times do
      local t = state.times[i]
      if t > now - P then
        times[#times + 1] = t
        costs[#costs + 1] = state.costs[i]
        s = s + state.costs[i]
      end
    end
  end
  if s + cost <= L then
    if cost > 0 then
      local last = #times
      if last >= 1 and times[last] == now then costs[last] = costs[last] + cost
      else
        times[last + 1] = now
        costs[last + 1] = cost
      end
    end
    local reset = 0
    if #times > 0 then reset = times[#times] + P - now end
    return true, L, L - s - cost, 0, reset, 0, { times = times, costs = costs }, math.max(1, reset)
  end
  local retry = INF
  if cost <= L then
    local left = s
    for i = 1, #times do
      left = left - costs[i]
      if left + cost <= L then
        retry = times[i] + P - now
        break
      end
    end
  end
  local reset = 0
  if #times > 0 then reset = times[#times] + P - now end
  return false, L, L - s, retry, reset, 0, { times = times, costs = costs }, math.max(1, reset)
end
return { parse = parse, step = step, serialize = serialize }
`,
};
