import type { LuaStep } from './lua-step.js';

/**
 * The Lua twin of `SlidingWindowLogStrategy.step` (sliding-window-log.ts),
 * with its own storage (`load` / `save`, see lua-step.ts) so that a hit
 * costs the same whatever the log's length: the stored text (a fixed-width
 * header `S|head|end|oldest|newest|`, then `t,c;` entries from `head` to
 * `end`) is worked on in place.
 * - `load` reads the header only (GETRANGE of 73 bytes).
 * - A step cuts the entries that left the window by reading them from
 *   `head` (a chunk at a time) and moving `head`: each entry is read once
 *   when it leaves; while the oldest entry is inside the window, nothing is
 *   read. An allowed hit appends its entry to a pending tail.
 * - `save` writes the tail at `end` and the header (SETRANGE twice) and the
 *   TTL (PEXPIRE); when more than half of the text is cut entries, it writes
 *   the live entries anew (SET): amortised O(1) per hit.
 * Only a denied hit reads the whole log (for its retry time), and a refund
 * writes the live entries anew, as TypeScript walks it. Entries of one millisecond are not
 * merged here (TypeScript's parse merges them): the decisions are the same.
 * Text that is malformed where a step reads it raises TRAFFIK_BAD_STATE.
 */
export const SLIDING_WINDOW_LOG_LUA: LuaStep = {
  source: `
local HEADER = 73
local HEADER_FORMAT = '%016d|%010d|%010d|%016d|%016d|'
-- Bytes read at a time from the log (an entry is at most 36).
local CHUNK = 256
-- Compact once this many bytes of cut entries lie before head and they are more than the live ones.
local COMPACT_AFTER = 4096
local function bad(key)
  error({ err = 'TRAFFIK_BAD_STATE ' .. tostring(key) })
end
local function fromHeader(key, h)
  if #h ~= HEADER then return nil end
  local S, head, stop, oldest, newest = string.match(h, '^(%d+)|(%d+)|(%d+)|(%-?%d+)|(%-?%d+)|$')
  if S == nil then return nil end
  S, head, stop, oldest, newest = tonumber(S), tonumber(head), tonumber(stop), tonumber(oldest), tonumber(newest)
  if head < HEADER or stop < head then return nil end
  return { key = key, S = S, head = head, stop = stop, oldest = oldest, newest = newest, tail = '' }
end
-- A state: the header's numbers, the key it is stored at (nil: nothing stored to read), and
-- 'tail', entries not yet written, which follow the stored ones [head, stop) from offset 'stop'.
local function parse(text)
  local s = fromHeader(nil, string.sub(text, 1, HEADER))
  if s == nil or s.stop > #text then return nil end
  s.tail = string.sub(text, s.head + 1, s.stop)
  s.head, s.stop = HEADER, HEADER
  return s
end
local function load(key)
  local h = redis.call('GETRANGE', key, 0, HEADER - 1)
  if h == '' then return nil end
  local s = fromHeader(key, h)
  if s == nil then bad(key) end
  return s
end
-- The entry at offset 'off' of the log: its time, its cost, and the offset after it.
local function entryAt(s, off)
  if off >= s.stop then
    local t, c, after = string.match(s.tail, '^(%-?%d+),(%d+);()', off - s.stop + 1)
    if t == nil then bad(s.key) end
    return tonumber(t), tonumber(c), s.stop + after - 1
  end
  local buf, at = s.buf, s.bufAt
  if buf ~= nil and off >= at then
    local t, c, after = string.match(buf, '^(%-?%d+),(%d+);()', off - at + 1)
    if t ~= nil then return tonumber(t), tonumber(c), at + after - 1 end
  end
  local last = off + CHUNK - 1
  if last >= s.stop then last = s.stop - 1 end
  buf = redis.call('GETRANGE', s.key, off, last)
  s.buf, s.bufAt = buf, off
  local t, c, after = string.match(buf, '^(%-?%d+),(%d+);()')
  if t == nil then bad(s.key) end
  return tonumber(t), tonumber(c), off + after - 1
end
-- All live entries from 'head' as one text (a denied hit's walk, a refund).
local function entriesFrom(s, head)
  local text = ''
  if head < s.stop then text = redis.call('GETRANGE', s.key, head, s.stop - 1) end
  local from = head - s.stop + 1
  if from < 1 then from = 1 end
  return text .. string.sub(s.tail, from)
end
local function serialize(s)
  local body = entriesFrom(s, s.head)
  return string.format(HEADER_FORMAT, s.S, HEADER, HEADER + #body, s.oldest, s.newest) .. body
end
local function save(key, s, ttl)
  local px = string.format('%d', ttl)
  local live = s.stop + #s.tail - s.head
  if s.key == nil or (s.head - HEADER > COMPACT_AFTER and s.head - HEADER > live) then
    local body = entriesFrom(s, s.head)
    redis.call('SET', key, string.format(HEADER_FORMAT, s.S, HEADER, HEADER + #body, s.oldest, s.newest) .. body, 'PX', px)
    return
  end
  if #s.tail > 0 then redis.call('SETRANGE', key, s.stop, s.tail) end
  redis.call('SETRANGE', key, 0, string.format(HEADER_FORMAT, s.S, s.head, s.stop + #s.tail, s.oldest, s.newest))
  redis.call('PEXPIRE', key, px)
end
local FRESH = { S = 0, head = HEADER, stop = HEADER, oldest = 0, newest = 0, tail = '' }
local function step(state, now, cost, L, P, params, args, op)
  local s = state or FRESH
  -- Entries that left the window, oldest first (the log is in the order admitted).
  local S, head, oldest = s.S, s.head, s.oldest
  local limit, cut = s.stop + #s.tail, now - P
  while head < limit and oldest <= cut do
    local _, c, after = entryAt(s, head)
    S = S - c
    head = after
    if head < limit then oldest = entryAt(s, head) end
  end
  local empty = head >= limit
  local newest = s.newest
  if empty then oldest, newest = 0, 0 end
  if op == 'refund' then
    -- Newest entries first, never more than the log holds: the live entries are written anew at head.
    local ts, cs = {}, {}
    for t, c in string.gmatch(entriesFrom(s, head), '(%-?%d+),(%d+);') do
      ts[#ts + 1] = tonumber(t)
      cs[#cs + 1] = tonumber(c)
    end
    local left = mathMin(cost, S)
    S = S - left
    while left > 0 do
      local n = #cs
      local take = mathMin(left, cs[n])
      left = left - take
      if take == cs[n] then
        ts[n], cs[n] = nil, nil
      else
        cs[n] = cs[n] - take
      end
    end
    local parts = {}
    for k = 1, #ts do parts[k] = string.format('%d,%d;', ts[k], cs[k]) end
    local reset = 0
    if #ts > 0 then
      oldest, newest = ts[1], ts[#ts]
      reset = newest + P - now
    else
      oldest, newest = 0, 0
    end
    local remaining = L - S
    if remaining < 0 then remaining = 0 end
    local newState = { key = s.key, S = S, head = head, stop = head, oldest = oldest, newest = newest, tail = table.concat(parts) }
    return true, L, remaining, 0, reset, 0, newState, mathMax(1, reset)
  end
  if op == 'charge' or cost == 0 or S + cost <= L then
    local tail = s.tail
    if cost > 0 then
      -- A clock that stepped back never writes an entry older than the newest: the log stays in order.
      local t = now
      if not empty and newest > now then t = newest end
      tail = tail .. string.format('%d,%d;', t, cost)
      if empty then oldest = t end
      newest = t
      empty = false
    end
    local after = S + cost
    local reset = 0
    if not empty then reset = newest + P - now end
    local remaining = L - after
    if remaining < 0 then remaining = 0 end
    local newState = { key = s.key, S = after, head = head, stop = s.stop, oldest = oldest, newest = newest, tail = tail, buf = s.buf, bufAt = s.bufAt }
    return true, L, remaining, 0, reset, 0, newState, mathMax(1, reset)
  end
  local retry = INF
  if cost <= L then
    local left = S
    for t, c in string.gmatch(entriesFrom(s, head), '(%-?%d+),(%d+);') do
      left = left - tonumber(c)
      if left + cost <= L then
        retry = tonumber(t) + P - now
        break
      end
    end
  end
  local reset = 0
  if not empty then reset = newest + P - now end
  local remaining = L - S
  if remaining < 0 then remaining = 0 end
  local newState = { key = s.key, S = S, head = head, stop = s.stop, oldest = oldest, newest = newest, tail = s.tail, buf = s.buf, bufAt = s.bufAt }
  return false, L, remaining, retry, reset, 0, newState, mathMax(1, reset)
end
return { parse = parse, step = step, serialize = serialize, load = load, save = save }
`,
};
