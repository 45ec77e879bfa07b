import type { LuaStep } from './lua-step.js';

/**
 * The Lua twin of `SlidingWindowLogStrategy.step` (sliding-window-log.ts):
 * the same rule and the same stored text, `S|t1,c1,t2,c2,...` (S = the sum
 * of the costs), but worked on as text, so an allowed hit costs a few
 * string operations whatever the log's length: read S, cut the entries that
 * left the window off the front, append (or add to the newest entry).
 * Only a denied hit walks the whole log (for its retry time), as TypeScript
 * does. Parse checks the header and the body's ends (no pattern runs over
 * the whole log: in Redis that alone cost more than the step); an entry
 * that is malformed where a step reads it raises TRAFFIK_BAD_STATE.
 */
export const SLIDING_WINDOW_LOG_LUA: LuaStep = {
  source: `
local function parse(text)
  -- Plain finds and subs only: a pattern run over the whole log costs more than the step.
  local bar = string.find(text, '|', 1, true)
  if bar == nil then return nil end
  local head = string.sub(text, 1, bar - 1)
  if string.find(head, '^%d+$') == nil then return nil end
  local S = safeInteger(head)
  if S == nil then return nil end
  local body = string.sub(text, bar + 1)
  -- The body must start and end like an entry (its middle is checked where a step reads it).
  if body ~= '' and (string.find(body, '^%-?%d') == nil or string.find(body, '%d$', #body) == nil) then return nil end
  return { S = S, body = body }
end
local function serialize(s)
  return string.format('%d', s.S) .. '|' .. s.body
end
local function bad()
  error({ err = 'TRAFFIK_BAD_STATE sliding-window-log entry' })
end
-- The newest entry of a non-empty body: its time, its cost, and where it starts
-- (an entry is at most 35 characters, so it lies within the last 41).
local function newest(body)
  local from = #body - 40
  if from < 1 then from = 1 end
  local tail = ',' .. string.sub(body, from)
  local at, _, t, c = string.find(tail, ',(%-?%d+),(%-?%d+)$')
  t, c = safeInteger(t), safeInteger(c)
  if t == nil or c == nil then bad() end
  return t, c, from + at - 1
end
local function step(state, now, cost, L, P)
  local S, body = 0, ''
  if state ~= nil then S, body = state.S, state.body end
  -- Entries that left the window, oldest first (the log is in the order admitted).
  local cut, pos = now - P, 1
  while pos <= #body do
    local t, c, nextPos = string.match(body, '^(%-?%d+),(%-?%d+),?()', pos)
    t, c = safeInteger(t), safeInteger(c)
    if t == nil or c == nil then bad() end
    if t > cut then break end
    S = S - c
    pos = nextPos
  end
  if pos > 1 then body = string.sub(body, pos) end
  local s = S
  if s + cost <= L then
    local t = nil
    if body ~= '' then
      local c, at
      t, c, at = newest(body)
      if cost > 0 and t == now then
        body = string.sub(body, 1, at - 1) .. string.format('%d,%d', t, c + cost)
      elseif cost > 0 then
        body = body .. string.format(',%d,%d', now, cost)
        t = now
      end
    elseif cost > 0 then
      body = string.format('%d,%d', now, cost)
      t = now
    end
    local reset = 0
    if t ~= nil then reset = t + P - now end
    return true, L, L - s - cost, 0, reset, 0, { S = s + cost, body = body }, math.max(1, reset)
  end
  local retry = INF
  if cost <= L then
    local left = s
    for t, c in string.gmatch(body, '(%-?%d+),(%-?%d+)') do
      left = left - tonumber(c)
      if left + cost <= L then
        retry = tonumber(t) + P - now
        break
      end
    end
  end
  local reset = 0
  if body ~= '' then reset = newest(body) + P - now end
  return false, L, L - s, retry, reset, 0, { S = s, body = body }, math.max(1, reset)
end
return { parse = parse, step = step, serialize = serialize }
`,
};
