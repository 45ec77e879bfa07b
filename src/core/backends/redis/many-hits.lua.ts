/**
 * The many-hits script, the fast path of a single hit (one rate, not a dry
 * run, no per-hit args) on a rate written into the script: one or more such
 * hits in one call, one key of KEYS each, applied in order, each reading
 * what the previous wrote: the decisions of the same hits sent one by one at
 * the same server time. Kept because of the bench rows "traffik fixed
 * window" against "fixed window, coalesceHits: false" (coalescing) and the
 * "% of floor" column at 64 in flight (no loops, tables or closures of the
 * general driver per hit).
 *
 * LIMIT, PERIOD, PAD (TTL pad) and PARAMS (the twin's params for that
 * rate, a Lua table literal) are written in by baked-scripts.ts.
 * ARGV = now ('' = one server TIME for all hits, '1' = each hit's now
 *        follows its cost), then per hit: cost, [now].
 *        A cost is a number for op 'hit', or '<op>:<cost>' ('charge:3').
 * Reply: six values per hit, allowed (1/0), limit, remaining, retryAfterMs
 * (-1 = Infinity), resetAfterMs, delayMs; a hit whose key holds something
 * else (another type, text the twin cannot parse) gets the error text in
 * place of `allowed` (and zeros) and changes nothing, while the other hits
 * go on.
 */
export const MANY_HITS_LUA = `
local perHitNow = ARGV[1] == '1'
local now
if not perHitNow then now = scriptNow('') end
local EMPTY = {}
local params = PARAMS
local out = {}
local n = 0
local at = 2
for h = 1, #KEYS do
  local key = KEYS[h]
  local cost = tonumber(ARGV[at])
  local op = 'hit'
  if cost == nil then
    local name, units = string.match(ARGV[at], '^(%a+):(%d+)$')
    op, cost = name, tonumber(units)
  end
  at = at + 1
  if perHitNow then
    now = tonumber(ARGV[at])
    at = at + 1
  end
  local state, bad = loadState(key)
  if bad then
    out[n + 1], out[n + 2], out[n + 3], out[n + 4], out[n + 5], out[n + 6] = bad, 0, 0, 0, 0, 0
  else
    local a, limit, remaining, retry, reset, delay, newState, ttl, store, sameExpiry = twinStep(state, now, cost, LIMIT, PERIOD, params, EMPTY, op)
    -- With a backend clock the key's expiry (server time) may drift from the clock's: PX every time.
    if stores(a, cost, store) then saveState(key, newState, ttl + PAD, sameExpiry and not perHitNow) end
    if retry == INF then retry = -1 end
    out[n + 1], out[n + 2], out[n + 3], out[n + 4], out[n + 5], out[n + 6] = a and 1 or 0, limit, remaining, retry, reset, delay
  end
  n = n + 6
end
return out
`;
