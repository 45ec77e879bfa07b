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
local function step(state, now, cost, L, P, params, args, op)
  local w = floorDiv(now, P)
  if state ~= nil and state.w > w then w = state.w end
  local n = 0
  if state ~= nil and state.w == w then n = state.n end
  local windowEnd = (w + 1) * P - now
  -- The same window as the stored state: the key already expires when this state must.
  local sameExpiry = state ~= nil and state.w == w
  if cost == 0 or n + cost <= L or (op ~= nil and op ~= 'hit') then
    -- Comparisons, not mathMin / mathMax: a Lua call per hit shows in a 1,000-hit batch (bench row
    -- "traffik @rateLimit, Redis", bench/suites/graphql.ts).
    local after = n + cost
    if after > MAX_SAFE then after = MAX_SAFE end
    if op == 'refund' then
      after = n - cost
      if after < 0 then after = 0 end
    end
    local reset = windowEnd
    if after == 0 then reset = 0 end
    local remaining = L - after
    if remaining < 0 then remaining = 0 end
    return true, L, remaining, 0, reset, 0, { w = w, n = after }, windowEnd, nil, sameExpiry
  end
  local retry = windowEnd
  if cost > L then retry = INF end
  local reset = windowEnd
  if n == 0 then reset = 0 end
  return false, L, mathMax(0, L - n), retry, reset, 0, { w = w, n = n }, windowEnd, nil, sameExpiry
end
return { parse = parse, step = step, serialize = serialize }
`,
};
