import type { LuaStep } from './lua-step.js';

/**
 * The Lua twin of `AdaptiveStrategy.step` (adaptive.ts), line for line.
 * Params per rate: minL, inc, threshold, reduction (thousandths), 1 when a
 * user signal drives it, the signal threshold. Args: the signal value.
 */
export const ADAPTIVE_LUA: LuaStep = {
  source: `
local function parse(text)
  local w, n, eff = parseTriple(text)
  if w == nil or n < 0 or eff < 1 then return nil end
  return { w = w, n = n, eff = eff }
end
local function serialize(s)
  return int(s.w) .. ',' .. int(s.n) .. ',' .. int(s.eff)
end
local function adjust(n, eff, L, p, signal)
  local overloaded
  if signal == nil then overloaded = n * 1000 > p[3] * eff else overloaded = signal > p[6] end
  if overloaded then return mathMax(p[1], floorDiv(eff * p[4], 1000)) end
  return mathMin(L, eff + p[2])
end
local function step(state, now, cost, L, P, p, args, op)
  local inc = p[2]
  local signalled = p[5] == 1
  local w = floorDiv(now, P)
  local n = 0
  local eff = L
  if state ~= nil and state.w >= w then
    n = state.n
    eff = state.eff
  elseif state ~= nil then
    local signal = nil
    if signalled then
      signal = tonumber(args[1])
      if signal == nil then error('AdaptiveStrategy: step args hold no signal') end
    end
    eff = mathMin(L, adjust(state.n, state.eff, L, p, signal) + (w - state.w - 1) * inc)
  end
  local windowEnd = (w + 1) * P - now
  local calm = nil
  if signalled then calm = -INF end
  local function nextAfter(count) return adjust(count, eff, L, p, calm) end
  local function waitFor(units, nxt)
    if units <= nxt then return windowEnd end
    return windowEnd + ceilDiv(units - nxt, inc) * P
  end
  local function worstNext(count)
    if not signalled then return nextAfter(count) end
    return adjust(0, eff, L, p, INF)
  end
  local function resetAfter(count)
    if count == 0 and eff == L then return 0 end
    return waitFor(L, worstNext(count))
  end
  if cost == 0 or n + cost <= eff or (op ~= nil and op ~= 'hit') then
    local after = mathMin(MAX_SAFE, n + cost)
    if op == 'refund' then after = mathMax(0, n - cost) end
    local reset = resetAfter(after)
    return true, eff, mathMax(0, eff - after), 0, reset, 0, { w = w, n = after, eff = eff }, mathMax(1, reset)
  end
  local reset = resetAfter(n)
  local retry = INF
  if cost <= L then retry = waitFor(cost, nextAfter(n)) end
  return false, eff, mathMax(0, eff - n), retry, reset, 0, { w = w, n = n, eff = eff }, mathMax(1, reset)
end
return { parse = parse, step = step, serialize = serialize }
`,
};
