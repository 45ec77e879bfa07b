import type { LuaStep } from './lua-step.js';

/**
 * The Lua twin of `SlidingWindowLogStrategy.step` (sliding-window-log.ts):
 * the same rule and the same stored text, `S|t1,c1,t2,c2,...` (S = the sum
 * of the costs), but worked on as text, so an allowed hit costs a few
 * string operations whatever the log's length: read S, skip the entries
 * that left the window at the front, append (or add to the newest entry),
 * copying the log once, into the text written back.
 * Only a denied hit walks the whole log (for its retry time), as TypeScript
 * does. Parse checks the header and the body's ends (no pattern runs over
 * the whole log: in Redis that alone cost more than the step); an entry
 * that is malformed where a step reads it raises TRAFFIK_BAD_STATE.
 */
export const SLIDING_WINDOW_LOG_LUA: LuaStep = {
  source: `
-- A state is its stored text and where the entries start in it: a step
-- copies the log once, into the text it writes (each string Redis' Lua makes
-- is allocated, hashed and later collected, so copies cost more than the math).
local function parse(text)
  local bar = string.find(text, '|', 1, true)
  if bar == nil then return nil end
  local head = string.sub(text, 1, bar - 1)
  if string.find(head, '^%d+$') == nil then return nil end
  local S = safeInteger(head)
  if S == nil then return nil end
  -- The entries must start and end like an entry (their middle is checked where a step reads it).
  if bar < #text and (string.find(text, '^%-?%d', bar + 1) == nil or string.find(text, '%d$', #text) == nil) then return nil end
  return { S = S, text = text, from = bar + 1 }
end
local function serialize(s)
  return s.text
end
local function bad()
  error({ err = 'TRAFFIK_BAD_STATE sliding-window-log entry' })
end
-- The state of sum S whose entries are the text's from 'from' (to 'to', default the end) and then 'extra'.
local function make(S, text, from, to, extra)
  local head = string.format('%d|', S)
  local body = ''
  if from <= #text and (to == nil or to >= from) then body = string.sub(text, from, to or -1) end
  return { S = S, text = head .. body .. (extra or ''), from = #head + 1 }
end
-- The state once the entries before 'pos' are cut off (the same state when none were).
local function cutAt(state, S, text, pos)
  if state ~= nil and pos == state.from then return state end
  return make(S, text, pos)
end
-- The newest entry among the text's entries from 'from' on: its time, its cost,
-- and where it starts (an entry is at most 35 characters, so it lies within the last 41).
local function newest(text, from)
  local start = #text - 40
  if start < from then start = from end
  local tail = ',' .. string.sub(text, start)
  local at, _, t, c = string.find(tail, ',(%-?%d+),(%-?%d+)$')
  t, c = safeInteger(t), safeInteger(c)
  if t == nil or c == nil then bad() end
  return t, c, start + at - 1
end
local function step(state, now, cost, L, P)
  local S, text, pos = 0, '', 1
  if state ~= nil then S, text, pos = state.S, state.text, state.from end
  -- Entries that left the window, oldest first (the log is in the order admitted).
  local cut, n = now - P, #text
  while pos <= n do
    local t, c, nextPos = string.match(text, '^(%-?%d+),(%-?%d+),?()', pos)
    t, c = safeInteger(t), safeInteger(c)
    if t == nil or c == nil then bad() end
    if t > cut then break end
    S = S - c
    pos = nextPos
  end
  local s = S
  local empty = pos > n
  if s + cost <= L then
    local newState
    local t = nil
    if not empty then
      local c, at
      t, c, at = newest(text, pos)
      if cost > 0 and t == now then
        newState = make(s + cost, text, pos, at - 1, string.format('%d,%d', t, c + cost))
      elseif cost > 0 then
        newState = make(s + cost, text, pos, nil, string.format(',%d,%d', now, cost))
        t = now
      end
    elseif cost > 0 then
      newState = make(s + cost, text, pos, nil, string.format('%d,%d', now, cost))
      t = now
    end
    if newState == nil then newState = cutAt(state, s, text, pos) end
    local reset = 0
    if t ~= nil then reset = t + P - now end
    return true, L, L - s - cost, 0, reset, 0, newState, math.max(1, reset)
  end
  local retry = INF
  if cost <= L then
    local left = s
    local rest = string.sub(text, pos)
    for t, c in string.gmatch(rest, '(%-?%d+),(%-?%d+)') do
      left = left - tonumber(c)
      if left + cost <= L then
        retry = tonumber(t) + P - now
        break
      end
    end
  end
  local reset = 0
  if not empty then reset = newest(text, pos) + P - now end
  return false, L, L - s, retry, reset, 0, cutAt(state, s, text, pos), math.max(1, reset)
end
return { parse = parse, step = step, serialize = serialize }
`,
};
