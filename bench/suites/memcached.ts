/**
 * Memcached: `throttle.hit` on `MemcachedBackend` for every strategy, serial
 * and with 64 calls in flight, beside rate-limiter-flexible's
 * `RateLimiterMemcache` (on the `memcached` npm client) in the same run,
 * against one private memcached started here. Limits are high enough that
 * every hit is allowed, so both sides do the same work per call: record a
 * hit and answer. Hits are spread over 1,000 keys (each hit once during
 * warm-up); a table puts every hit on one key, and a last one floods a
 * key over its limit with its denial remembered and not. Should rate-limiter-
 * flexible reject a consume (a store error), the call counts as done and the
 * number is reported under the tables.
 */
import { createRequire } from 'node:module';
import { RateLimiterMemcache } from 'rate-limiter-flexible';
import { Throttle } from '../../src/index.js';
import { MemcachedBackend } from '../../src/memcached.js';
import { startMemcached } from '../../test/harness/servers.js';
import { measure, printTable, type Measurement } from '../lib.js';
import { LIMIT, builtInStrategies } from '../strategies.js';

/** The `memcached` npm client (no type definitions of its own). */
interface MemcachedClient {
  end(): void;
}
const Memcached = createRequire(import.meta.url)('memcached') as new (location: string, options?: Record<string, unknown>) => MemcachedClient;

const KEYS = 1_000;
/** Long enough that every key has been hit once before timing starts (steady state, not first touches). */
const WARMUP_MS = 500;
/**
 * Each case runs this many times, the cases taking turns, and keeps its best
 * round: on a shared machine a burst of outside load then hurts no side more
 * than the other. Each round lasts BENCH_MS / 4 (default 375 ms).
 */
const ROUNDS = 5;
const ROUND_MS = Math.max(200, Math.round(Number(process.env.BENCH_MS ?? 1500) / 4));

type Case = readonly [name: string, fn: (i: number) => unknown];

/** Measures every case ROUNDS times, taking turns, and returns each one's best round. */
async function bestOf(cases: readonly Case[], concurrency: number): Promise<Measurement[]> {
  const best = new Map<string, Measurement>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of cases) {
      const m = await measure(name, fn, { concurrency, warmupMs: round === 0 ? WARMUP_MS : 100, durationMs: ROUND_MS });
      const previous = best.get(name);
      if (previous === undefined || m.opsPerSec > previous.opsPerSec) best.set(name, m);
    }
  }
  return cases.map(([name]) => best.get(name)!);
}
const PEER = 'rate-limiter-flexible RateLimiterMemcache';

const strategies = builtInStrategies({ label: 'GCRA', burstToleranceMs: 1000 });

export default async function run(): Promise<void> {
  const server = await startMemcached();
  // The client's defaults: its `retries` is the pool's socket-allocation retries, which 64 calls in flight need.
  const peerClient = new Memcached(server.location);
  const backend = new MemcachedBackend({ servers: server.location, namespace: 'bench' });
  try {
    const keyNames = Array.from({ length: KEYS }, (_, i) => `user:${i}`);
    const spread = (i: number) => keyNames[i % KEYS]!;
    let round = 0;
    let peerFailures = 0;
    const peerFor = () => {
      const limiter = new RateLimiterMemcache({ storeClient: peerClient, points: LIMIT, duration: 3600, keyPrefix: `rlf${round++}` });
      // Every call is allowed (huge limit): a rejection is a store error, counted and reported below.
      return (key: string) => limiter.consume(key).catch(() => void peerFailures++);
    };

    for (const concurrency of [1, 64]) {
      const peer = peerFor();
      const cases: Case[] = [[PEER, (i) => peer(spread(i))]];
      for (const [name, make, rate] of strategies) {
        const throttle = new Throttle({ uid: `bench-${round++}`, rate, strategy: make(), backend, onError: 'raise' });
        cases.push([`traffik ${name}`, (i) => throttle.hit(spread(i))]);
      }
      const rows = await bestOf(cases, concurrency);
      printTable(`throttle.hit, Memcached, ${KEYS.toLocaleString('en')} keys, ${concurrency === 1 ? 'serial' : `${concurrency} in flight`}`, rows, PEER);
    }

    const rows: Measurement[] = [];
    for (const concurrency of [1, 64]) {
      const label = concurrency === 1 ? 'serial' : `${concurrency} in flight`;
      const peer = peerFor();
      const throttle = new Throttle({ uid: `bench-${round++}`, rate: `${LIMIT}/hour`, backend, onError: 'raise' });
      rows.push(...(await bestOf([[`${PEER}, ${label}`, () => peer('one')], [`traffik fixed window, ${label}`, () => throttle.hit('one')]], concurrency)));
    }
    printTable('throttle.hit, Memcached, one key', rows, `${PEER}, serial`);

    // A denied flood: one key over its limit, hit serially, with the denial remembered (default) and not.
    const strict = new MemcachedBackend({ servers: server.location, namespace: 'bench-strict', rememberDenials: false });
    try {
      const denied: Case[] = [];
      for (const [label, b] of [['remembered (default)', backend], ['asked every time (rememberDenials: false)', strict]] as const) {
        const throttle = new Throttle({ uid: `bench-denied-${round++}`, rate: '1/hour', backend: b, onError: 'raise' });
        await throttle.hit('flood');
        denied.push([`traffik fixed window, denied, ${label}`, () => throttle.hit('flood')]);
      }
      printTable('throttle.hit, Memcached, one key over its limit (every hit denied), serial', await bestOf(denied, 1), denied[1]![0]);
    } finally {
      await strict.close();
    }
    if (peerFailures > 0) console.log(`\n(rate-limiter-flexible rejected ${peerFailures} consume calls with an error during these runs.)`);
  } finally {
    await backend.close();
    peerClient.end();
    await server.stop();
  }
}
