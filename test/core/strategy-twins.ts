/**
 * Runs a strategy's Lua twin directly on a real redis-server (one EVAL per
 * step, with the same prelude the Redis backend uses) and its TypeScript
 * step side by side, so tests can compare the two step by step for any op,
 * rate and clock, without going through a backend.
 */
import type { Redis } from 'ioredis';
import type { StepDecision } from '../../src/core/decision.js';
import type { Rate } from '../../src/core/rate.js';
import { LUA_PRELUDE } from '../../src/core/strategies/integer-math.lua.js';
import type { AnyStrategy, StepArgs, StepOp } from '../../src/core/strategies/strategy.js';

/** One step's result, comparable across the two languages. */
export interface TwinResult {
  decision: StepDecision;
  /** The serialized state after the step. */
  state: string;
  ttlMs: number;
}

const DRIVER = `
local strategy = (function()
%SOURCE%
end)()
local state = nil
if ARGV[1] ~= '' then
  state = strategy.parse(ARGV[1])
  if state == nil then error('twin: unreadable state ' .. ARGV[1]) end
end
local now, cost, L, P = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local op = ARGV[6]
local np = tonumber(ARGV[7])
local params = {}
for i = 1, np do params[i] = tonumber(ARGV[7 + i]) end
local args = {}
for i = 8 + np, #ARGV do args[#args + 1] = ARGV[i] end
local ok, limit, remaining, retry, reset, delay, s, ttl = strategy.step(state, now, cost, L, P, params, args, op)
local retryText = 'inf'
if retry ~= INF then retryText = int(retry) end
local flag = 0
if ok then flag = 1 end
return { flag, int(limit), int(remaining), retryText, int(reset), int(delay), strategy.serialize(s), int(ttl) }
`;

/** The TypeScript step's result for (state text, now, cost, rate, args, op). */
export function tsStep(strategy: AnyStrategy, stateText: string, now: number, cost: number, rate: Rate, args: StepArgs, op: StepOp): TwinResult {
  const state = stateText === '' ? undefined : strategy.parse(stateText);
  const outcome = strategy.step(state, now, cost, rate, args, op);
  return { decision: outcome.decision, state: strategy.serialize(outcome.state), ttlMs: outcome.ttlMs };
}

/** The Lua twin's result for the same inputs, run by `client` (EVAL). */
export async function luaStep(
  client: Redis, strategy: AnyStrategy, stateText: string, now: number, cost: number, rate: Rate, args: StepArgs, op: StepOp,
): Promise<TwinResult> {
  const lua = strategy.lua;
  if (lua === undefined) throw new Error(`${strategy.name} has no Lua twin`);
  const script = LUA_PRELUDE + DRIVER.replace('%SOURCE%', () => lua.source);
  const params = lua.params?.(rate) ?? [];
  const argv = [stateText, now, cost, rate.limit, rate.periodMs, op, params.length, ...params, ...args].map(String);
  const r = (await client.eval(script, 0, ...argv)) as (string | number)[];
  const retry = r[3] === 'inf' ? Infinity : Number(r[3]);
  return {
    decision: {
      allowed: Number(r[0]) === 1, limit: Number(r[1]), remaining: Number(r[2]), retryAfterMs: retry,
      resetAfterMs: Number(r[4]), delayMs: Number(r[5]),
    },
    state: String(r[6]),
    ttlMs: Number(r[7]),
  };
}
