/**
 * Batches as the GraphQL directive sends them: long runs of one cost (a
 * list's items), which the Redis driver receives run-length coded, steps
 * once per hit only while the state changes (a hit that stores nothing is
 * followed by the same decision for the same cost) and answers run-length
 * coded. Every decision must still equal the in-process backend's, hit for
 * hit, for every built-in strategy, with one rate and with two.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  InMemoryBackend, Rate, Throttle, type Decision, type LuaStep, type StepOutcome, type Strategy,
} from '../../src/index.js';
import { RedisBackend } from '../../src/redis.js';
import { decodeReply, driverArgs, driverScript } from '../../src/core/backends/redis/lua-driver.js';
import { FIXED_WINDOW_LUA } from '../../src/core/strategies/fixed-window.lua.js';
import { manualClock, seededRandom } from '../support/traces.js';
import { builtInStrategies } from './support/strategies.js';

let client: Redis;
const namespace = `runs${process.pid}`;
beforeAll(() => {
  client = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  await client.quit();
});

/** Batches of 1 to 6 runs, each run one cost (mostly 1, else 0 to L + 1) repeated 1 to 40 times, some single costs between. */
function runBatches(seed: number, count: number, maxCost: number): { advanceMs: number; costs: number[] }[] {
  const random = seededRandom(seed);
  const int = (max: number) => Math.floor(random() * (max + 1));
  return Array.from({ length: count }, () => {
    const costs: number[] = [];
    const runs = 1 + int(5);
    for (let r = 0; r < runs; r++) {
      const pick = random();
      const cost = pick < 0.5 ? 1 : pick < 0.6 ? 0 : int(maxCost);
      const times = random() < 0.3 ? 1 + int(2) : 1 + int(39);
      for (let m = 0; m < times; m++) costs.push(cost);
    }
    const pause = random();
    return { advanceMs: pause < 0.3 ? 0 : pause < 0.6 ? int(300) : int(3000), costs };
  });
}

async function compare(label: string, strategy: Strategy<unknown>, rates: readonly string[], seed: number): Promise<{ allowed: number; denied: number }> {
  const maxLimit = Math.max(...rates.map((r) => Number(r.split('/')[0])));
  const start = 1_700_000_000_000 + seed * 7919;
  const memoryClock = manualClock(start);
  const redisClock = manualClock(start);
  const uid = `runs:${label}:${rates.join('+')}:${seed}`;
  const memory = new Throttle({ uid, rate: [...rates], strategy, backend: new InMemoryBackend({ clock: memoryClock.now }), onError: 'raise' });
  const redis = new Throttle({ uid, rate: [...rates], strategy, backend: new RedisBackend({ client, namespace, clock: redisClock.now }), onError: 'raise' });
  let allowed = 0;
  let denied = 0;
  for (const [i, batch] of runBatches(seed, 80, maxLimit + 1).entries()) {
    memoryClock.advance(batch.advanceMs);
    redisClock.advance(batch.advanceMs);
    const expected = await memory.hitMany('k', batch.costs);
    const actual = await redis.hitMany('k', batch.costs);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) expect({ batch: i, costs: batch.costs, actual }).toEqual({ batch: i, costs: batch.costs, actual: expected });
    allowed += expected.filter((d) => d.allowed && d.cost > 0).length;
    denied += expected.filter((d) => !d.allowed).length;
  }
  return { allowed, denied };
}

describe('Redis batches of long runs decide like InMemoryBackend', () => {
  for (const [label, strategy] of builtInStrategies()) {
    it(label, async () => {
      const totals = await Promise.all([
        compare(label, strategy, ['25/s'], 1),
        compare(label, strategy, ['6/400ms', '40/3s'], 2),
      ]);
      // Both answers, many times over, or the comparison proves little.
      for (const { allowed, denied } of totals) {
        expect(allowed).toBeGreaterThan(20);
        expect(denied).toBeGreaterThan(100);
      }
    });
  }
});

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** A strategy of one's own whose state is one number (the units stored so far), stored as text; `lua` is its Lua twin. */
abstract class NumberStateStrategy implements Strategy<number> {
  abstract readonly name: string;
  abstract readonly lua: LuaStep;
  abstract step(state: number | undefined, now: number, cost: number, rate: Rate): StepOutcome<number>;
  serialize(state: number): string {
    return String(state);
  }
  parse(text: string): number {
    return Number(text);
  }
}

/** The Lua twin of a `NumberStateStrategy`, with `step` (Lua source of `local function step(state, now, cost, L, P)`). */
function numberStateLua(step: string): LuaStep {
  return {
    source: `
local function parse(text) return safeInteger(text) end
local function serialize(n) return int(n) end
${step}
return { parse = parse, step = step, serialize = serialize }
`,
  };
}

/**
 * Hits `costs` as one batch through the in-process backend and through
 * Redis (same fixed clock), with one rate and with two, asserts equal
 * decisions, and hands the in-process ones to `check`.
 */
async function expectSameBatchOnBoth(make: () => NumberStateStrategy, costs: readonly number[], check: (expected: Decision[]) => void): Promise<void> {
  for (const rates of [['100/s'], ['100/s', '1000/minute']]) {
    const strategy = make();
    const uid = `${strategy.name}:${rates.length}`;
    const memory = new Throttle({ uid, rate: rates, strategy, backend: new InMemoryBackend({ clock: () => 1_000_000 }), onError: 'raise' });
    const redis = new Throttle({ uid, rate: rates, strategy, backend: new RedisBackend({ client, namespace, clock: () => 1_000_000 }), onError: 'raise' });
    const expected = await memory.hitMany('k', costs);
    check(expected);
    expect(await redis.hitMany('k', costs)).toEqual(expected);
  }
}

/**
 * A strategy of one's own whose decisions jump between -MAX_SAFE and
 * MAX_SAFE: a step from one hit to the next is not a safe integer, so the
 * driver must not code it as one (it would lose precision).
 */
class Seesaw extends NumberStateStrategy {
  readonly name = 'seesaw';
  step(state: number | undefined, _now: number, cost: number, rate: Rate): StepOutcome<number> {
    const n = state ?? 0;
    const high = n % 3 === 0;
    return {
      decision: { allowed: true, limit: rate.limit, remaining: high ? MAX_SAFE : -MAX_SAFE, retryAfterMs: 0, resetAfterMs: high ? 0 : MAX_SAFE - 1, delayMs: n },
      state: n + cost,
      ttlMs: 60_000,
    };
  }
  readonly lua = numberStateLua(`
local function step(state, now, cost, L, P)
  local n = state or 0
  local high = n % 3 == 0
  local remaining, reset = -MAX_SAFE, MAX_SAFE - 1
  if high then remaining, reset = MAX_SAFE, 0 end
  return true, L, remaining, 0, reset, n, n + cost, 60000
end`);
}

it('decisions that jump by more than a safe integer come back exact (one rate and two)', async () => {
  await expectSameBatchOnBoth(() => new Seesaw(), [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 2, 2, 2, 2, 1, 1], (expected) => {
    expect(expected.map((d) => d.remaining)).toContain(-MAX_SAFE);
  });
});

/**
 * A strategy of one's own where a hit that stores nothing (cost 0) can
 * continue a run of changing decisions: `remaining` goes down by 10 per
 * unit stored, whatever the hit's cost. Then more cost-0 hits repeat that
 * decision after a run with a step (a new run of one decision must start).
 */
class Ramp extends NumberStateStrategy {
  readonly name = 'ramp';
  step(state: number | undefined, _now: number, cost: number, rate: Rate): StepOutcome<number> {
    const n = state ?? 0;
    return {
      decision: { allowed: true, limit: rate.limit, remaining: 999 - 10 * n, retryAfterMs: 0, resetAfterMs: n, delayMs: 0 },
      state: n + cost,
      ttlMs: 60_000,
    };
  }
  readonly lua = numberStateLua(`
local function step(state, now, cost, L, P)
  local n = state or 0
  return true, L, 999 - 10 * n, 0, n, 0, n + cost, 60000
end`);
}

it('a hit that stores nothing, after a run with a step, and its repeats come back exact (one rate and two)', async () => {
  await expectSameBatchOnBoth(() => new Ramp(), [1, 1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 0, 0], (expected) => {
    expect(expected.map((d) => d.remaining)).toEqual([999, 989, 979, 979, 979, 979, 979, 969, 969, 969, 959, 949, 939, 939]);
  });
});

it('a list of 1,000 hits of cost 1 goes as two cost arguments and comes back as two records (600 admitted, 400 denied)', async () => {
  const now = 60_000 * 28_333_334 + 1000;
  const argv = driverArgs(FIXED_WINDOW_LUA, [Rate.parse('600/minute')], new Array<number>(1000).fill(1), now, false, 1000, undefined);
  expect(argv).toEqual([now, 'hit', 1000, 2, -1000, 1, 0, 600, 60_000, 0]);
  const reply = await client.eval(driverScript(FIXED_WINDOW_LUA).source, 1, `${namespace}:list`, ...argv);
  // 600 admitted: remaining 599 down by 1 each; then 400 times one denial (retry at the window's end, 59 s).
  expect(reply).toBe('600,1,600,599,0,59000,0,0,0,-1,0,0,0,400,0,600,0,59000,59000,0,0,0,0,0,0,0');
  const decisions = decodeReply(reply, 1000, 1);
  expect(decisions.filter((row) => row[0]!.allowed)).toHaveLength(600);
  expect(decisions[599]![0]).toEqual({ allowed: true, limit: 600, remaining: 0, retryAfterMs: 0, resetAfterMs: 59_000, delayMs: 0 });
  expect(decisions[999]![0]).toEqual({ allowed: false, limit: 600, remaining: 0, retryAfterMs: 59_000, resetAfterMs: 59_000, delayMs: 0 });
});

describe('decodeReply', () => {
  const row = (remaining: number) => [{ allowed: true, limit: 10, remaining, retryAfterMs: 0, resetAfterMs: 500, delayMs: 0 }];

  it('expands records: one hit, then a run with a step, then a run of one decision', () => {
    const decoded = decodeReply('1,1,10,9,0,500,0,3,1,10,8,0,500,0,0,0,-1,0,0,0,2,0,10,0,-1,400,0,0,0,0,0,0,0', 6, 1);
    expect(decoded.slice(0, 4)).toEqual([row(9), row(8), row(7), row(6)]);
    expect(decoded[4]).toEqual([{ allowed: false, limit: 10, remaining: 0, retryAfterMs: Infinity, resetAfterMs: 400, delayMs: 0 }]);
    expect(decoded[5]).toBe(decoded[4]);
  });

  it('refuses a reply of the wrong shape', () => {
    expect(() => decodeReply('1,1,10,9,0,500,0', 2, 1)).toThrow(TypeError);
    expect(() => decodeReply('3,1,10,9,0,500,0,0,0,-1,0,0,0', 2, 1)).toThrow(TypeError);
    expect(() => decodeReply('1,1,10,9,0,500', 1, 1)).toThrow(TypeError);
    expect(() => decodeReply('1,1,10,x,0,500,0', 1, 1)).toThrow(TypeError);
    expect(() => decodeReply(['1'], 1, 1)).toThrow(TypeError);
  });
});
