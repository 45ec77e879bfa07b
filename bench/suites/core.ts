/**
 * Core: `throttle.hit` on the in-process backend for every strategy, on one
 * key and spread over 100,000 keys, beside rate-limiter-flexible's
 * `RateLimiterMemory.consume` in the same run. Limits are high enough that
 * every hit is allowed, so both sides do the same work per call. In the
 * 100,000-key rows the key string is built per call (`user:${n}`), as a
 * server builds it from each request: a prebuilt string would let a `Map`
 * reuse its cached hash, which no server gets.
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';
import {
  FixedWindowStrategy, GCRAStrategy, InMemoryBackend, LeakyBucketStrategy, LeakyBucketWithQueueStrategy,
  SlidingWindowCounterStrategy, SlidingWindowLogStrategy, Throttle, TokenBucketStrategy, TokenBucketWithDebtStrategy,
  type AnyStrategy,
} from '../../src/index.js';
import { measure, printTable, type Measurement } from '../lib.js';

const LIMIT = 100_000_000;
const KEYS = 100_000;

const strategies: [string, () => AnyStrategy][] = [
  ['fixed window', () => new FixedWindowStrategy()],
  ['sliding window counter', () => new SlidingWindowCounterStrategy()],
  ['token bucket', () => new TokenBucketStrategy()],
  ['token bucket with debt', () => new TokenBucketWithDebtStrategy({ maxDebt: 10 })],
  ['leaky bucket', () => new LeakyBucketStrategy()],
  ['leaky bucket with queue', () => new LeakyBucketWithQueueStrategy()],
  // An hour of tolerance: the whole limit may come at once, so every hit is allowed, as in the other rows.
  ['GCRA', () => new GCRAStrategy({ burstToleranceMs: 3_600_000 })],
];

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Case {
  name: string;
  /** Builds a fresh limiter and returns its hit function. */
  make: () => (key: string) => Promise<unknown>;
}

const cases: Case[] = [
  {
    name: 'rate-limiter-flexible RateLimiterMemory',
    make: () => {
      const peer = new RateLimiterMemory({ points: LIMIT, duration: 3600 });
      return (key) => peer.consume(key);
    },
  },
  ...strategies.map(([name, make]): Case => ({
    name: `traffik ${name}`,
    make: () => {
      const throttle = new Throttle({ uid: 'bench', rate: `${LIMIT}/hour`, strategy: make(), backend: new InMemoryBackend() });
      return (key) => throttle.hit(key);
    },
  })),
  {
    // The log keeps one entry per admitted millisecond, and the in-process step copies it (O(entries)
    // per hit; the Redis twin appends in place): a 10 ms window holds at most 10 entries, and a limit
    // above the hits 10 ms see allows every hit, as in the other rows.
    name: 'traffik sliding window log (10000000/10ms)',
    make: () => {
      const log = new Throttle({ uid: 'bench', rate: '10000000/10ms', strategy: new SlidingWindowLogStrategy(), backend: new InMemoryBackend() });
      return (key) => log.hit(key);
    },
  },
];

/** The key of call `i`: one key, or one of KEYS built afresh per call. */
const keyOf: [label: string, keys: number, key: (i: number) => string][] = [
  ['one key', 1, () => 'user:42'],
  [`${KEYS.toLocaleString('en')} keys, key built per call`, KEYS, (i) => `user:${i % KEYS}`],
];

export default async function run(): Promise<void> {
  for (const [label, keyCount, key] of keyOf) {
    // Interleaved rounds, best of each: the machine is shared, so one slow round says little.
    const best = new Map<string, Measurement>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of cases) {
        // Each case alone in memory, in steady state: a fresh limiter that has seen every key once.
        const hit = c.make();
        for (let i = 0; i < keyCount; i++) await hit(key(i));
        // Collect the previous case's garbage now, so no case pays for another's.
        (globalThis as { gc?: () => void }).gc?.();
        const m = await measure(c.name, (i) => hit(key(i)));
        const previous = best.get(c.name);
        if (previous === undefined || m.opsPerSec > previous.opsPerSec) best.set(c.name, m);
      }
    }
    printTable(
      `throttle.hit, in-process, ${label}, serial (best of ${ROUNDS} interleaved rounds)`,
      cases.map((c) => best.get(c.name)!),
      'rate-limiter-flexible RateLimiterMemory',
    );
  }
}
