/**
 * Lua every backend script shares, written once: the time a script decides
 * at (`scriptNow`), the "store or not" rule (`stores`), and how a state is
 * read and written (`loadState` / `saveState`: GET + the twin's parse and
 * SET PX + its serialize, unless the twin brings its own `load` / `save`).
 */

/** `scriptNow(given)` and `stores(allowed, cost, store)`: goes before the twin (prelude functions are kept only where a script uses them). */
export const SCRIPT_PRELUDE = `
local function scriptNow(given)
  local now = tonumber(given)
  if now ~= nil then return now end
  -- Redis < 7 replicates scripts verbatim unless told to replicate effects (needed after TIME).
  if redis.REDIS_VERSION_NUM == nil and redis.replicate_commands then redis.replicate_commands() end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function stores(allowed, cost, store)
  return allowed and (cost > 0 or store == true)
end
`;

/**
 * `loadState(key)` -> state, or nil for a fresh key, or nil and the error
 * text for a key holding something else (another type, text the twin
 * cannot parse: TRAFFIK_BAD_STATE); it never raises, so one bad key fails
 * only its own hit. `saveState(key, state, ttlMs, sameExpiry)` (`sameExpiry`:
 * the step's hint that the key's expiry is already right). Goes after the twin,
 * which names its functions twinParse, twinSerialize and, when it manages
 * its own storage, twinLoad and twinSave (see lua-step.ts).
 */
export const STATE_IO = `
local loadState
if twinLoad then
  loadState = function(key)
    local ok, s = pcall(twinLoad, key)
    if ok then return s end
    if type(s) == 'table' then s = s.err end
    return nil, tostring(s or 'unexpected error reading state')
  end
else
  loadState = function(key)
    local text = redis.pcall('GET', key)
    if type(text) == 'table' then return nil, text.err or 'unexpected reply to GET' end
    if not text then return nil end
    local s = twinParse(text)
    if s == nil then return nil, 'TRAFFIK_BAD_STATE ' .. key end
    return s
  end
end
-- KEEPTTL (Redis 6+; the version is readable from Redis 7) when the key already expires when the state must:
-- cheaper than PX for Redis. The TTL goes as text: Redis turns a Lua number argument into text with a slow %.17g.
local keepTtl = (redis.REDIS_VERSION_NUM or 0) >= 0x060000
local saveState = twinSave or function(key, s, ttl, sameExpiry)
  if sameExpiry and keepTtl then
    redis.call('SET', key, twinSerialize(s), 'KEEPTTL')
  else
    redis.call('SET', key, twinSerialize(s), 'PX', string.format('%d', ttl))
  end
end
`;
