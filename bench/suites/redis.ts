/**
 * Redis: `throttle.hit` on `RedisBackend` for every strategy, serial and with
 * 64 calls in flight, beside rate-limiter-flexible's `RateLimiterRedis` and a
 * bare EVALSHA of a one-line INCR script (the floor: one script round trip
 * and nothing else), all on the same ioredis client in the same run, against
 * one private redis-server started here. Limits are high enough that every
 * hit is allowed, so every side does the same work per call: record a hit
 * and answer. Hits are spread over 1,000 keys. Every case runs five
 * interleaved rounds and keeps its best, so a burst of load from elsewhere on
 * the machine does not land on one case only.
 *
 * A second reference row, the bound, is a bare EVALSHA of the three commands
 * every exact server-clock script must run (TIME, GET, SET PX) with no
 * decision at all: what a strategy can at best reach under these rules.
 *
 * The fixed window is measured in every documented form of the backend:
 * `{ client }` (the strategy rows), `{ url }` (the README's form: the
 * backend makes its own client) and `{ client }` on a client with ioredis
 * auto-pipelining. The sliding window log is also measured with a log of
 * 1,000 entries per key (filled before, none leaving the window), where a
 * hit that rewrote the log would cost 1,000 entries' work.
 */
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { FixedWindowStrategy, Rate, SlidingWindowLogStrategy, Throttle } from '../../src/index.js';
import { scopeKey, stateSuffix } from '../../src/extend.js';
import { redisKeys } from '../../src/core/backends/redis/keys.js';
import { RedisBackend } from '../../src/redis.js';
import { startRedis } from '../../test/harness/servers.js';
import { measure, printGrid, printTable, type Measurement } from '../lib.js';
import { LIMIT, builtInStrategies } from '../strategies.js';

const KEYS = 1_000;
const FLOOR = 'floor: EVALSHA of INCR';
const PEER = 'rate-limiter-flexible RateLimiterRedis';
const BOUND = 'bound: EVALSHA of TIME + GET + SET PX';
const ALONE = 'fixed window, coalesceHits: false';
const FROM_URL = 'fixed window, { url }';
const AUTO_PIPELINED = 'fixed window, { client } + auto-pipelining';
const LONG_LOG = 'sliding window log, 1,000 entries';
/** Entries in each key's log for the LONG_LOG row. */
const LOG_ENTRIES = 1_000;
const ROUNDS = 5;
/** Each round's duration per case: BENCH_MS split over the rounds (default 1500 ms per case in all, at least 200 ms a round). */
const ROUND_MS = Math.max(200, Math.round(Number(process.env.BENCH_MS ?? 1500) / ROUNDS));

const strategies = builtInStrategies({ label: 'gcra', burstToleranceMs: 3_600_000 });

export default async function redisSuite(): Promise<void> {
  const server = await startRedis();
  const client = new Redis(server.url);
  const closers: (() => unknown)[] = [];
  try {
    const incrSha = String(await client.script('LOAD', "return redis.call('INCR', KEYS[1])"));
    const floor = (i: number) => client.evalsha(incrSha, 1, `floor:${i % KEYS}`);
    const boundSha = String(await client.script('LOAD', "redis.call('TIME') redis.call('GET', KEYS[1]) redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1"));
    const bound = (i: number) => client.evalsha(boundSha, 1, `bound:${i % KEYS}`, '1,1', '3600000');
    const limiter = new RateLimiterRedis({ storeClient: client, points: LIMIT, duration: 3600, keyPrefix: 'rlf' });
    const peer = (i: number) => limiter.consume(`user-${i % KEYS}`);
    const backend = new RedisBackend({ client, namespace: 'bench' });
    const ours = strategies.map(([label, make, rate]) => {
      const throttle = new Throttle({ uid: label, rate, strategy: make(), backend, onError: 'raise' });
      return [label, (i: number) => throttle.hit(`user-${i % KEYS}`)] as const;
    });
    // The same fixed window with each hit sent alone: what coalescing a tick's hits is worth.
    const alone = new Throttle({ uid: 'alone', rate: `${LIMIT}/hour`, strategy: new FixedWindowStrategy(), backend: new RedisBackend({ client, namespace: 'bench', coalesceHits: false }), onError: 'raise' });
    ours.splice(1, 0, [ALONE, (i: number) => alone.hit(`user-${i % KEYS}`)] as const);
    // The README's form: the backend builds (and closes) its own client from the URL.
    const fromUrl = new RedisBackend({ url: server.url, namespace: 'bench' });
    closers.push(() => fromUrl.close());
    const urlThrottle = new Throttle({ uid: 'url', rate: `${LIMIT}/hour`, strategy: new FixedWindowStrategy(), backend: fromUrl, onError: 'raise' });
    // A user's client with auto-pipelining on.
    const pipelined = new Redis(server.url, { enableAutoPipelining: true });
    closers.push(() => pipelined.disconnect());
    const pipelinedThrottle = new Throttle({ uid: 'pipelined', rate: `${LIMIT}/hour`, strategy: new FixedWindowStrategy(), backend: new RedisBackend({ client: pipelined, namespace: 'bench' }), onError: 'raise' });
    ours.splice(1, 0, [FROM_URL, (i: number) => urlThrottle.hit(`user-${i % KEYS}`)] as const, [AUTO_PIPELINED, (i: number) => pipelinedThrottle.hit(`user-${i % KEYS}`)] as const);
    const longLog = await longLogThrottle(client, backend);
    ours.push([LONG_LOG, (i: number) => longLog.hit(`user-${i % KEYS}`)] as const);
    const summary: string[][] = [];
    const results = new Map<string, Measurement[]>();
    const cases: [string, (i: number) => unknown][] = [[FLOOR, floor], [BOUND, bound], [PEER, peer], ...ours.map(([label, fn]) => [`traffik ${label}`, fn] as [string, (i: number) => unknown])];
    for (const concurrency of [1, 64]) {
      // The machine may be shared: run every case ROUNDS times, interleaved, and keep each case's best round.
      const best = new Map<string, Measurement>();
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, fn] of cases) {
          const m = await measure(name, fn, { concurrency, durationMs: ROUND_MS, warmupMs: 200 });
          if ((best.get(name)?.opsPerSec ?? 0) < m.opsPerSec) best.set(name, m);
        }
      }
      const rows = cases.map(([name]) => best.get(name)!);
      results.set(String(concurrency), rows);
      printTable(`Redis, ${concurrency === 1 ? 'serial' : `${concurrency} in flight`}, best of ${ROUNDS} interleaved rounds (ratio to the floor)`, rows, FLOOR);
    }
    for (const [label, name] of [[BOUND, BOUND], ...ours.map(([l]) => [l, `traffik ${l}`])] as [string, string][]) {
      const cells = [label];
      for (const concurrency of ['1', '64']) {
        const rows = results.get(concurrency)!;
        const ours = rows.find((r) => r.name === name)!.opsPerSec;
        cells.push(`${(ours / rows.find((r) => r.name === PEER)!.opsPerSec).toFixed(2)}x`, `${Math.round((100 * ours) / rows.find((r) => r.name === FLOOR)!.opsPerSec)}%`);
      }
      summary.push(cells);
    }
    printGrid('Redis summary: traffik vs rate-limiter-flexible and vs the floor (targets at 64 in flight: fixed window >= 1.3x the peer, every strategy >= 80% of the floor)',
      ['strategy', 'serial vs peer', 'serial % of floor', '64 in flight vs peer', '64 in flight % of floor'], summary);
  } finally {
    await Promise.allSettled(closers.map(async (close) => close()));
    client.disconnect();
    await server.stop();
  }
}

/** A sliding-window-log throttle whose 1,000 keys each hold a log of LOG_ENTRIES entries, one per ms of the last second. */
async function longLogThrottle(client: Redis, backend: RedisBackend): Promise<Throttle> {
  const strategy = new SlidingWindowLogStrategy();
  const rate = Rate.parse(`${LIMIT}/hour`);
  const [seconds] = await client.time();
  const now = Number(seconds) * 1000;
  const times = Array.from({ length: LOG_ENTRIES }, (_, k) => now - LOG_ENTRIES + k);
  const text = strategy.serialize({ times, costs: times.map(() => 1) });
  const pipeline = client.pipeline();
  for (let k = 0; k < KEYS; k++) {
    const scope = scopeKey('long-log', `user-${k}`);
    pipeline.set(redisKeys('bench', scope, [scope + stateSuffix(strategy.name, rate)])[0]!, text, 'PX', 3_600_000);
  }
  await pipeline.exec();
  return new Throttle({ uid: 'long-log', rate, strategy, backend, onError: 'raise' });
}
