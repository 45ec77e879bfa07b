import type { LuaStep } from './lua-step.js';

/**
 * The Lua twin of `ScaledStrategy.step` (scaled-strategy.ts) around a base
 * strategy's own Lua twin: picks the slot (a tier from args[1], or the local
 * hour from `now`), scales L, runs the base step with that slot's base
 * params, then applies the wrapper's fix-ups in the same order as TypeScript.
 * Params per rate: S (slots), 1 when the slot is args[1] (tiers) or 0 when it
 * comes from the hour, the UTC offset in minutes, the smallest factor, NPb
 * (the base's param count), R (hour ranges), then R ranges `from, to, slot`
 * (they cover every hour when R > 0), then per slot: its factor and the
 * base's NPb params for the scaled rate.
 */
export function scaledLua(base: LuaStep): LuaStep {
  return {
    source: `
local base = (function()
${base.source}
end)()
local function step(state, now, cost, L, P, p, args, op)
  local S, own, offset, fmin, NPb, R = p[1], p[2], p[3], p[4], p[5], p[6]
  local slot
  local rest = args
  if own == 1 then
    slot = tonumber(args[1])
    if slot == nil or slot ~= math.floor(slot) or slot < 0 or slot >= S then error('TieredStrategy: step args hold no tier index') end
    rest = {}
    for k = 2, #args do rest[#rest + 1] = args[k] end
  else
    local loc = now + offset * 60000
    local hour = floorDiv(loc - floorDiv(loc, 86400000) * 86400000, 3600000)
    for r = 0, R - 1 do
      local at = 7 + 3 * r
      if hour >= p[at] and hour < p[at + 1] then
        slot = p[at + 2]
        break
      end
    end
  end
  local at = 7 + 3 * R + slot * (1 + NPb)
  local f = p[at]
  local bp = {}
  for k = 1, NPb do bp[k] = p[at + k] end
  local Ls = L
  if f ~= 1000 then Ls = mathMax(1, floorDiv(L * f, 1000)) end
  local ok, limit, remaining, retry, reset, delay, s, ttl, store = base.step(state, now, cost, Ls, P, bp, rest, op)
  if remaining < 0 or (cost == 0 and not ok) then
    ok = ok or cost == 0
    remaining = mathMax(0, remaining)
    if ok then retry = 0 end
  end
  local slowest = L
  if fmin ~= 1000 then slowest = mathMax(1, floorDiv(L * fmin, 1000)) end
  if Ls ~= slowest then ttl = ceilDiv(ttl * Ls, slowest) end
  return ok, limit, remaining, retry, reset, delay, s, ttl, store
end
return { parse = base.parse, step = step, serialize = base.serialize }
`,
  };
}
