import type { LuaStep } from './lua-step.js';

/**
 * The Lua twin of `ConcurrencyLimitStrategy.step` (concurrency-limit.ts),
 * line for line. Params per rate: the lease time in ms. Args: the operation
 * ('acquire' | 'renew' | 'release', acquire when absent) and the lease id ('' when absent).
 */
export const CONCURRENCY_LIMIT_LUA: LuaStep = {
  source: `
local function parse(text)
  if type(text) ~= 'string' or string.sub(text, 1, 2) ~= 'c1' then return nil end
  local rest = string.sub(text, 3)
  local leases = {}
  if rest ~= '' then
    if string.sub(rest, 1, 1) ~= '|' then return nil end
    for part in string.gmatch(string.sub(rest, 2) .. '|', '([^|]*)|') do
      local e, u, id = string.match(part, '^(%-?%d+),(%d+),([%w_%-]*)$')
      if e == nil or #e > 17 or #u > 17 or #id > 64 then return nil end
      e = tonumber(e)
      u = tonumber(u)
      if e > MAX_SAFE or e < -MAX_SAFE or u > MAX_SAFE or u < 1 then return nil end
      leases[#leases + 1] = { id = id, exp = e, units = u }
    end
  end
  return leases
end
local function serialize(leases)
  local parts = { 'c1' }
  for i = 1, #leases do
    local l = leases[i]
    parts[#parts + 1] = int(l.exp) .. ',' .. int(l.units) .. ',' .. l.id
  end
  return table.concat(parts, '|')
end
local function sumUnits(leases)
  local sum = 0
  for i = 1, #leases do sum = sum + leases[i].units end
  return sum
end
local function lastExpiry(leases, now)
  local last = now
  for i = 1, #leases do if leases[i].exp > last then last = leases[i].exp end end
  return last - now
end
local function allowed(leases, now, L, store)
  local reset = lastExpiry(leases, now)
  return true, L, mathMax(0, L - sumUnits(leases)), 0, reset, 0, leases, mathMax(1, reset), store
end
local function without(leases, id)
  if id == '' then return leases end
  local out = {}
  for i = 1, #leases do if leases[i].id ~= id then out[#out + 1] = leases[i] end end
  return out
end
local function step(state, now, cost, L, P, params, args)
  local leaseMs = params[1]
  local op = args[1] or 'acquire'
  local id = args[2] or ''
  local total = 0
  local live = {}
  if state ~= nil then
    total = #state
    for i = 1, total do if state[i].exp > now then live[#live + 1] = state[i] end end
  end
  if op == 'release' then
    local kept = without(live, id)
    return allowed(kept, now, L, #kept ~= total)
  end
  if op ~= 'acquire' and op ~= 'renew' then error('ConcurrencyLimitStrategy: unknown operation ' .. op) end
  local others = without(live, id)
  local used = sumUnits(others)
  if cost == 0 then return allowed(live, now, L, false) end
  local held = op == 'renew' and id ~= '' and #others < #live
  if held or used + cost <= L then
    local lease = { id = id, exp = now + leaseMs, units = cost }
    local out = {}
    local at = #others + 1
    while at > 1 and others[at - 1].exp > lease.exp do at = at - 1 end
    for i = 1, #others do
      if i == at then out[#out + 1] = lease end
      out[#out + 1] = others[i]
    end
    if at == #others + 1 then out[#out + 1] = lease end
    return allowed(out, now, L, true)
  end
  local retry = INF
  if cost <= L then
    local sorted = {}
    for i = 1, #others do sorted[i] = others[i] end
    table.sort(sorted, function(a, b) return a.exp < b.exp end)
    local freed = used
    for i = 1, #sorted do
      freed = freed - sorted[i].units
      if freed + cost <= L then
        retry = sorted[i].exp - now
        break
      end
    end
  end
  local reset = lastExpiry(live, now)
  return false, L, mathMax(0, L - sumUnits(live)), retry, reset, 0, live, mathMax(1, reset)
end
return { parse = parse, step = step, serialize = serialize }
`,
};
