/**
 * The Lua prelude every Lua twin runs with: the exact integer helpers of
 * integer-math.ts (`floorDiv`, `ceilDiv`, same steps in the same order, so
 * TypeScript and Lua agree bit for bit), `int` (formats an integer below 2^53
 * exactly; Lua's `tostring` would round to 14 digits), `parseIntegers` (the
 * twin of strategy.ts's `parseIntegers`; `parsePair` / `parseTriple` are its
 * fast forms for two or three integers, returning them or nil), `INF`, and
 * `mathFloor`, `mathMin`, `mathMax` (locals: a global lookup per call shows
 * in a 1,000-hit batch).
 */
export const LUA_PRELUDE = `
local INF = math.huge
local MAX_SAFE = 9007199254740991
local mathFloor = math.floor
local mathMin = math.min
local mathMax = math.max
local function floorDiv(a, b)
  local q = mathFloor(a / b)
  local r = a - q * b
  if r < 0 then q = q - 1 elseif r >= b then q = q + 1 end
  return q
end
local function ceilDiv(a, b)
  return 0 - floorDiv(-a, b)
end
local function int(x)
  return string.format('%d', x)
end
local function safeInteger(s)
  if s == nil or #s > 17 then return nil end
  local v = tonumber(s)
  if v == nil or v > MAX_SAFE or v < -MAX_SAFE then return nil end
  return v
end
local function parsePair(text)
  local a, b = string.match(text, '^(%-?%d+),(%-?%d+)$')
  a = safeInteger(a)
  b = safeInteger(b)
  if a == nil or b == nil then return nil end
  return a, b
end
local function parseTriple(text)
  local a, b, c = string.match(text, '^(%-?%d+),(%-?%d+),(%-?%d+)$')
  a = safeInteger(a)
  b = safeInteger(b)
  c = safeInteger(c)
  if a == nil or b == nil or c == nil then return nil end
  return a, b, c
end
local function parseIntegers(text, count)
  if type(text) ~= 'string' or not string.match(text, '^%-?%d+[-,%d]*$') then return nil end
  local values = {}
  for part in string.gmatch(text .. ',', '([^,]*),') do
    if not string.match(part, '^%-?%d+$') or #part > 17 then return nil end
    local v = tonumber(part)
    if v == nil or v > MAX_SAFE or v < -MAX_SAFE then return nil end
    values[#values + 1] = v
  end
  if count ~= nil and #values ~= count then return nil end
  return values
end
`;
