/**
 * The strategies beyond the window and bucket strategies: `throttle.hit` (for the concurrency limit,
 * `acquire` + `release`: two steps) for each, beside the fixed window, on
 * the in-process backend and on Redis (its Lua twins, one private
 * redis-server started here), in the same run; rate-limiter-flexible's
 * fixed-window limiters as a reference row. Limits are high enough that
 * every hit is allowed. Hits are spread over 1,000 keys. Every case runs
 * three interleaved rounds and keeps its best, so load from elsewhere on a
 * shared machine does not land on one case only.
 */
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import {
  AdaptiveStrategy, ConcurrencyLimitStrategy, CostBasedTokenBucketStrategy, FixedWindowStrategy, InMemoryBackend,
  PriorityStrategy, QuotaWithRolloverStrategy, Throttle, TieredStrategy, TimeOfDayStrategy, type AnyStrategy, type Backend,
} from '../../src/index.js';
import { RedisBackend } from '../../src/redis.js';
import { startRedis } from '../../test/harness/servers.js';
import { measure, printGrid, printTable, type Measurement } from '../lib.js';

const RATE = '100000000/hour';
const KEYS = 1_000;
const ROUNDS = 3;
const ROUND_MS = Math.max(200, Math.round(Number(process.env.BENCH_MS ?? 1500) / ROUNDS));

type Ctx = { priority: number; tier: string };
const contexts: Ctx[] = Array.from({ length: 16 }, (_, i) => ({ priority: i % 3, tier: i % 2 === 0 ? 'free' : 'pro' }));

const strategies: [string, () => AnyStrategy, string?][] = [
  ['fixed window', () => new FixedWindowStrategy()],
  ['concurrency limit (acquire + release)', () => new ConcurrencyLimitStrategy()],
  ['priority (3 levels)', () => new PriorityStrategy()],
  ['adaptive (usage)', () => new AdaptiveStrategy()],
  ['adaptive (user signal)', () => new AdaptiveStrategy({ signal: () => 10, signalThreshold: 100 })],
  ['tiered (fixed window)', () => new TieredStrategy({ tiers: { free: 1, pro: 5 } })],
  ['time of day (fixed window)', () => new TimeOfDayStrategy({ periods: [{ from: 0, to: 8, scale: 2 }, { from: 18, to: 24, scale: 1.5 }] })],
  ['quota with rollover', () => new QuotaWithRolloverStrategy()],
  // Its thousandths need B * P below 2^42: a shorter period with the same headroom.
  ['cost-based token bucket', () => new CostBasedTokenBucketStrategy(), '10000000/10s'],
];

function cases(backend: Backend): [string, (i: number) => unknown][] {
  return strategies.map(([label, make, rate = RATE]) => {
    const throttle = new Throttle<Ctx>({ uid: label, rate, strategy: make(), backend, onError: 'raise' });
    const fn = label.startsWith('concurrency')
      ? async (i: number) => (await throttle.acquire(`user-${i % KEYS}`)).release()
      : (i: number) => throttle.hit(`user-${i % KEYS}`, { context: contexts[i % 16]! });
    return [`traffik ${label}`, fn];
  });
}

async function best(all: [string, (i: number) => unknown][], concurrency: number, rounds: number): Promise<Measurement[]> {
  // Run every case once first, so that the shared code paths (backend, throttle) have seen every
  // strategy before anything is measured: otherwise the first case measured alone runs faster.
  for (const [, fn] of all) for (let i = 0; i < 2000; i++) await fn(i);
  const top = new Map<string, Measurement>();
  for (let round = 0; round < rounds; round++) {
    for (const [name, fn] of all) {
      const m = await measure(name, fn, { concurrency, durationMs: ROUND_MS, warmupMs: 150 });
      if ((top.get(name)?.opsPerSec ?? 0) < m.opsPerSec) top.set(name, m);
    }
  }
  return all.map(([name]) => top.get(name)!);
}

export default async function strategiesExtraSuite(): Promise<void> {
  const memoryPeer = new RateLimiterMemory({ points: 100_000_000, duration: 3600 });
  const memoryRows = await best(
    [['rate-limiter-flexible RateLimiterMemory', (i) => memoryPeer.consume(`user-${i % KEYS}`)], ...cases(new InMemoryBackend())],
    1, ROUNDS,
  );
  printTable(`Concurrency, priority, adaptive, tiered, quota and cost-based strategies, in-process, 1,000 keys, serial, best of ${ROUNDS} rounds (ratio to the fixed window)`, memoryRows, 'traffik fixed window');

  const server = await startRedis();
  const client = new Redis(server.url);
  try {
    const limiter = new RateLimiterRedis({ storeClient: client, points: 100_000_000, duration: 3600, keyPrefix: 'rlf' });
    const redisCases: [string, (i: number) => unknown][] = [
      ['rate-limiter-flexible RateLimiterRedis', (i) => limiter.consume(`user-${i % KEYS}`)],
      ...cases(new RedisBackend({ client, namespace: 'bench-extra' })),
    ];
    const serial = await best(redisCases, 1, ROUNDS);
    printTable(`Concurrency, priority, adaptive, tiered, quota and cost-based strategies, Redis, serial, best of ${ROUNDS} rounds (ratio to the fixed window)`, serial, 'traffik fixed window');
    const inFlight = await best(redisCases, 64, ROUNDS);
    printTable(`Concurrency, priority, adaptive, tiered, quota and cost-based strategies, Redis, 64 in flight, best of ${ROUNDS} rounds (ratio to the fixed window)`, inFlight, 'traffik fixed window');
    const fixed = (rows: Measurement[]) => rows.find((r) => r.name === 'traffik fixed window')!.opsPerSec;
    printGrid(
      'Summary: each strategy as a share of the fixed window, same backend, same run',
      ['strategy', 'in-process', 'Redis serial', 'Redis 64 in flight'],
      strategies.map(([label]) => {
        const share = (rows: Measurement[]) => `${Math.round((100 * rows.find((r) => r.name === `traffik ${label}`)!.opsPerSec) / fixed(rows))}%`;
        return [label, share(memoryRows), share(serial), share(inFlight)];
      }),
    );
  } finally {
    await client.quit();
    await server.stop();
  }
}
