import type { LuaStep } from './lua-step.js';

/**
 * The Lua twin of `QuotaWithRolloverStrategy.step` (quota-with-rollover.ts),
 * line for line. Params per rate: the cap, the rolled-over share (thousandths).
 */
export const QUOTA_WITH_ROLLOVER_LUA: LuaStep = {
  source: `
local function parse(text)
  local w, used, carry = parseTriple(text)
  if w == nil or used < 0 or carry < 0 then return nil end
  return { w = w, used = used, carry = carry }
end
local function serialize(s)
  return int(s.w) .. ',' .. int(s.used) .. ',' .. int(s.carry)
end
local function step(state, now, cost, L, P, p, args, op)
  local function carryAfter(u)
    return mathMin(p[1], floorDiv(mathMax(0, L - u) * p[2], 1000))
  end
  local w = floorDiv(now, P)
  local used = 0
  local carry = 0
  if state ~= nil and state.w >= w then
    used = state.used
    carry = state.carry
  elseif state ~= nil and state.w == w - 1 then
    carry = carryAfter(state.used)
  end
  local periodEnd = (w + 1) * P - now
  local allowance = L + carry
  local function resetAfter(u)
    if u == 0 then
      if carry == 0 then return 0 end
      return periodEnd
    end
    if carryAfter(u) > 0 then return periodEnd + P end
    return periodEnd
  end
  if cost == 0 or used + cost <= allowance or (op ~= nil and op ~= 'hit') then
    local after = mathMin(MAX_SAFE, used + cost)
    if op == 'refund' then after = mathMax(0, used - cost) end
    local reset = resetAfter(after)
    return true, allowance, mathMax(0, allowance - after), 0, reset, 0, { w = w, used = after, carry = carry }, mathMax(1, reset)
  end
  local nxt = 0
  if used > 0 then nxt = carryAfter(used) end
  local reset = resetAfter(used)
  local retry = INF
  if cost <= L + nxt then retry = periodEnd end
  return false, allowance, mathMax(0, allowance - used), retry, reset, 0, { w = w, used = used, carry = carry }, mathMax(1, reset)
end
return { parse = parse, step = step, serialize = serialize }
`,
};
