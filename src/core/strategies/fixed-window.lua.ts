import type { LuaStep } from './lua-step.js';

/** The Lua twin of `FixedWindowStrategy.step` (fixed-window.ts), line for line. */
export const FIXED_WINDOW_LUA: LuaStep = {
  source: `
local function parse(text)
  local w, n = parsePair(text)
  if w == nil then return nil end
  return { w = w, n = n }
end
local function serialize(s)
  return string.format('%d,%d', s.w, s.n)
end
local function step(state, now, cost, L, P)
  local w = floorDiv(now, P)
  local n = 0
  if state ~= nil and state.w == w then n = state.n end
  local windowEnd = (w + 1) * P - now
  if n + cost <= L then
    local after = n + cost
    local reset = windowEnd
    if after == 0 then reset = 0 end
    return true, L, L - after, 0, reset, 0, { w = w, n = after }, windowEnd
  end
  local retry = windowEnd
  if cost > L then retry = INF end
  local reset = windowEnd
  if n == 0 then reset = 0 end
  return false, L, L - n, retry, reset, 0, { w = w, n = n }, windowEnd
end
return { parse = parse, step = step, serialize = serialize }
`,
};
