import type { LuaStep } from './lua-step.js';

/** The Lua twin of `SlidingWindowCounterStrategy.step` (sliding-window-counter.ts), line for line. */
export const SLIDING_WINDOW_COUNTER_LUA: LuaStep = {
  source: `
local function parse(text)
  local w, prev, cur = parseTriple(text)
  if w == nil then return nil end
  return { w = w, prev = prev, cur = cur }
end
local function serialize(s)
  return string.format('%d,%d,%d', s.w, s.prev, s.cur)
end
local function resetAfter(w, P, now, prev, cur)
  if cur > 0 then return (w + 2) * P - now end
  if prev > 0 then return (w + 1) * P - now end
  return 0
end
local function step(state, now, cost, L, P, params, args, op)
  local w = floorDiv(now, P)
  if state ~= nil and state.w > w then w = state.w end
  local shift = mathMax(0, w * P - now)
  local e = now + shift - w * P
  local prev = 0
  local cur = 0
  if state ~= nil then
    if state.w == w then
      prev = state.prev
      cur = state.cur
    elseif state.w == w - 1 then
      prev = state.cur
    end
  end
  local ttl = (w + 2) * P - now
  -- The same window as the stored state: the key already expires when this state must.
  local sameExpiry = state ~= nil and state.w == w
  local capacity = L * P
  local forced = op ~= nil and op ~= 'hit'
  if forced or cost == 0 or (cost <= L and prev * (P - e) + (cur + cost) * P <= capacity) then
    local after = mathMin(MAX_SAFE, cur + cost)
    if op == 'refund' then after = mathMax(0, cur - cost) end
    return true, L, mathMax(0, floorDiv(capacity - prev * (P - e) - after * P, P)), 0,
      resetAfter(w, P, now, prev, after), 0, { w = w, prev = prev, cur = after }, ttl, nil, sameExpiry
  end
  local retry
  if cost > L then retry = INF
  elseif cur + cost <= L then retry = shift + ceilDiv((P - e) * prev - (L - cur - cost) * P, prev)
  else retry = (w + 1) * P - now + mathMax(0, ceilDiv(P * (cur - L + cost), cur)) end
  return false, L, mathMax(0, floorDiv(capacity - prev * (P - e) - cur * P, P)), retry,
    resetAfter(w, P, now, prev, cur), 0, { w = w, prev = prev, cur = cur }, ttl, nil, sameExpiry
end
return { parse = parse, step = step, serialize = serialize }
`,
};
