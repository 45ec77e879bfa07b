/**
 * Custom strategies on Redis: a user's own `Strategy` has no Lua twin, so its
 * TypeScript step runs here, made atomic with an optimistic compare-and-set:
 * 1. one script reads the state of every key and the server's TIME;
 * 2. `runSteps` decides in this process;
 * 3. when something must be stored, a second script writes every key only
 *    if none changed since step 1 (else nothing is written and we start
 *    over, a bounded number of times).
 * Two round trips per allowed hit (one for a denied hit or a dry run), and
 * retries under contention on one key: slower than a built-in's Lua twin,
 * equally exact.
 */
import type { StepDecision } from '../../decision.js';
import { BackendError } from '../../errors.js';
import type { Rate } from '../../rate.js';
import { runSteps } from '../run-steps.js';
import type { AnyStrategy, StepArgs, StepOp } from '../../strategies/strategy.js';
import { script, withPrelude } from './script-source.js';
import { runScript, type ScriptClient } from './script-runner.js';

/** Reply: now, then per key: 1 and the value, or 0 and '' when the key is absent. */
const READ = script(withPrelude(`
local now = scriptNow(ARGV[1])
local out = { now }
for i = 1, #KEYS do
  local v = redis.call('GET', KEYS[i])
  if v then
    out[#out + 1] = 1
    out[#out + 1] = v
  else
    out[#out + 1] = 0
    out[#out + 1] = ''
  end
end
return out
`));

/** ARGV per key: expected flag (1 = present), expected value, new value, ttl ms. Reply 1 = written, 0 = changed meanwhile. */
const COMPARE_AND_SET = script(`
for i = 1, #KEYS do
  local v = redis.call('GET', KEYS[i])
  local base = (i - 1) * 4
  if ARGV[base + 1] == '1' then
    if v ~= ARGV[base + 2] then return 0 end
  elseif v then
    return 0
  end
end
for i = 1, #KEYS do
  local base = (i - 1) * 4
  redis.call('SET', KEYS[i], ARGV[base + 3], 'PX', ARGV[base + 4])
end
return 1
`);

/** One hit or batch of a custom strategy, as the backend hands it over. */
export interface CompareAndSetRequest {
  readonly strategy: AnyStrategy;
  readonly redisKeys: readonly string[];
  readonly rates: readonly Rate[];
  readonly costs: readonly number[];
  readonly dryRun: boolean;
  readonly args: StepArgs | undefined;
  /** What the steps do with their costs (a batch: 'hit'). */
  readonly op: StepOp;
  /** The injected clock's now, or undefined for the server's TIME. */
  readonly now: number | undefined;
  /** Added to every TTL (slack for an injected clock). */
  readonly ttlPadMs: number;
  /** Attempts before giving up with `BackendError`. */
  readonly maxAttempts: number;
  /** `performance.now()` after which no write is attempted (the caller has timed out by then). */
  readonly deadline: number;
}

/**
 * Applies the hits of `request` with compare-and-set. Resolves with
 * `result[hit][rate]`; rejects with `BackendError` for state the strategy
 * cannot parse, or when `maxAttempts` writes all lost to concurrent ones.
 */
export async function applyWithCompareAndSet(client: ScriptClient, request: CompareAndSetRequest): Promise<StepDecision[][]> {
  const { strategy, redisKeys, rates, costs } = request;
  for (let attempt = 1; attempt <= request.maxAttempts; attempt++) {
    const reply = await runScript(client, READ, redisKeys, [request.now ?? '']);
    if (!Array.isArray(reply) || reply.length !== 1 + 2 * redisKeys.length || typeof reply[0] !== 'number') {
      throw new BackendError(`RedisBackend: unexpected reply to the state read: ${JSON.stringify(reply)?.slice(0, 120)}`);
    }
    const now = reply[0];
    const present: boolean[] = [];
    const texts: string[] = [];
    const states: unknown[] = [];
    for (let i = 0; i < redisKeys.length; i++) {
      const flag = reply[1 + 2 * i] === 1;
      const text = String(reply[2 + 2 * i]);
      present.push(flag);
      texts.push(text);
      try {
        states.push(flag ? strategy.parse(text) : undefined);
      } catch (error) {
        throw new BackendError(`RedisBackend: stored state of key ${redisKeys[i]} is not what ${strategy.name} writes (overwritten?)`, { cause: error });
      }
    }
    const decisions: StepDecision[][] = [];
    const ttls: number[] = [];
    let dirty = false;
    for (const cost of costs) {
      const { decisions: row, writes } = runSteps(strategy, states, now, cost, rates, request.dryRun, request.args, request.op);
      decisions.push(row);
      if (writes !== undefined) {
        dirty = true;
        writes.forEach((w, i) => {
          states[i] = w.state;
          ttls[i] = w.ttlMs;
        });
      }
    }
    if (!dirty) return decisions;
    const argv: (string | number)[] = [];
    for (let i = 0; i < redisKeys.length; i++) {
      const ttl = ttls[i]!;
      if (!Number.isInteger(ttl) || ttl <= 0) throw new BackendError(`RedisBackend: ${strategy.name} returned ttlMs ${ttl}; must be a whole number > 0`);
      argv.push(present[i]! ? '1' : '0', texts[i]!, strategy.serialize(states[i]), ttl + request.ttlPadMs);
    }
    // The caller has given up (timeout): writing now would count a hit it reported as failed.
    if (performance.now() > request.deadline) throw new BackendError(`RedisBackend: ${strategy.name}: timed out before writing`);
    if ((await runScript(client, COMPARE_AND_SET, redisKeys, argv)) === 1) return decisions;
    // Lost the race: back off a little (random, growing) and read again.
    if (attempt > 2) await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(attempt, 20)));
  }
  throw new BackendError(`RedisBackend: ${strategy.name}: gave up after ${request.maxAttempts} conflicting writes on one key`);
}
