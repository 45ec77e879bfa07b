/**
 * A strategy of one's own with its own Lua twin plugs into the Redis driver:
 * per-rate `params`, per-hit `args` (from `argsFor`) and a forced store at
 * cost 0 reach the Lua step, and the decisions match the TypeScript step on
 * the in-process backend hit for hit.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { floorDiv } from '../../src/extend.js';
import { InMemoryBackend, Throttle, type LuaStep, type Rate, type StepArgs, type StepOutcome, type Strategy } from '../../src/index.js';
import { RedisBackend } from '../../src/redis.js';
import { manualClock, seededRandom } from '../support/traces.js';

interface WeightedState { w: number; n: number; touches: number }

/**
 * Fixed window where each hit weighs `cost * weight` (weight from the hit's
 * context, as args), the window allows `L * bonus` (bonus a per-rate param),
 * and every hit, even at cost 0, counts a "touch" (forced store).
 */
class WeightedWindow implements Strategy<WeightedState> {
  readonly name = 'weighted-window';
  constructor(private readonly bonus: number) {}
  argsFor(_key: string, context: unknown): StepArgs {
    return [(context as { weight?: number } | undefined)?.weight ?? 1, 'label-with,comma'];
  }
  step(state: WeightedState | undefined, now: number, cost: number, rate: Rate, args?: StepArgs): StepOutcome<WeightedState> {
    const weight = Number(args?.[0] ?? 1);
    const L = rate.limit * this.bonus;
    const P = rate.periodMs;
    const w = floorDiv(now, P);
    const n = state !== undefined && state.w === w ? state.n : 0;
    const touches = (state !== undefined && state.w === w ? state.touches : 0) + 1;
    const end = (w + 1) * P - now;
    const units = cost * weight;
    if (n + units <= L) {
      return { decision: { allowed: true, limit: L, remaining: L - n - units, retryAfterMs: 0, resetAfterMs: end, delayMs: touches }, state: { w, n: n + units, touches }, ttlMs: end, store: true };
    }
    return { decision: { allowed: false, limit: L, remaining: L - n, retryAfterMs: units > L ? Infinity : end, resetAfterMs: end, delayMs: 0 }, state: { w, n, touches: touches - 1 }, ttlMs: end };
  }
  serialize(s: WeightedState): string {
    return `${s.w},${s.n},${s.touches}`;
  }
  parse(text: string): WeightedState {
    const [w, n, touches] = text.split(',').map(Number) as [number, number, number];
    return { w, n, touches };
  }
  readonly lua: LuaStep = {
    params: () => [this.bonus],
    source: `
local function parse(text)
  local w, n, touches = parseTriple(text)
  if w == nil then return nil end
  return { w = w, n = n, touches = touches }
end
local function serialize(s) return string.format('%d,%d,%d', s.w, s.n, s.touches) end
local function step(state, now, cost, L0, P, params, args)
  assert(args[2] == 'label-with,comma')
  local weight = tonumber(args[1])
  local L = L0 * params[1]
  local w = floorDiv(now, P)
  local n, touches = 0, 1
  if state ~= nil and state.w == w then n = state.n; touches = state.touches + 1 end
  local e = (w + 1) * P - now
  local units = cost * weight
  if n + units <= L then
    return true, L, L - n - units, 0, e, touches, { w = w, n = n + units, touches = touches }, e, true
  end
  local retry = e
  if units > L then retry = INF end
  return false, L, L - n, retry, e, 0, { w = w, n = n, touches = touches - 1 }, e
end
return { parse = parse, step = step, serialize = serialize }
`,
  };
}

let client: Redis;
beforeAll(() => {
  client = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  await client.quit();
});

it('a Lua twin of ones own gets params, args and forced stores, and agrees with its TypeScript step', async () => {
  const strategy = new WeightedWindow(2);
  const memoryClock = manualClock(1_700_000_000_000);
  const redisClock = manualClock(1_700_000_000_000);
  const memory = new Throttle({ uid: 'weighted', rate: ['5/s', '12/4s'], strategy, backend: new InMemoryBackend({ clock: memoryClock.now }), onError: 'raise' });
  const redis = new Throttle({ uid: 'weighted', rate: ['5/s', '12/4s'], strategy, backend: new RedisBackend({ client, namespace: `twin${process.pid}`, clock: redisClock.now }), onError: 'raise' });
  const random = seededRandom(9);
  let allowed = 0;
  for (let i = 0; i < 800; i++) {
    const step = Math.floor(random() * 300);
    memoryClock.advance(step);
    redisClock.advance(step);
    const options = { cost: Math.floor(random() * 4), context: { weight: 1 + Math.floor(random() * 3) } };
    const expected = await memory.hit('k', options);
    expect(await redis.hit('k', options)).toEqual(expected);
    if (expected.allowed && expected.cost > 0) allowed++;
  }
  expect(allowed).toBeGreaterThan(100);
});
