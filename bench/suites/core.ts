/**
 * Core: `throttle.hit` on the in-process backend for every strategy, on one
 * key and spread over 100,000 keys, beside rate-limiter-flexible's
 * `RateLimiterMemory.consume` in the same run. Limits are high enough that
 * every hit is allowed, so both sides do the same work per call.
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
  ['GCRA', () => new GCRAStrategy({ burstToleranceMs: 1000 })],
];

export default async function run(): Promise<void> {
  const keyNames = Array.from({ length: KEYS }, (_, i) => `user:${i}`);
  for (const [label, pick] of [
    ['one key', () => 'user:42'],
    [`${KEYS.toLocaleString('en')} keys`, (i: number) => keyNames[i % KEYS]!],
  ] as const) {
    const rows: Measurement[] = [];
    const peer = new RateLimiterMemory({ points: LIMIT, duration: 3600 });
    rows.push(await measure('rate-limiter-flexible RateLimiterMemory', (i) => peer.consume(pick(i))));
    for (const [name, make] of strategies) {
      const throttle = new Throttle({ uid: 'bench', rate: `${LIMIT}/hour`, strategy: make(), backend: new InMemoryBackend() });
      rows.push(await measure(`traffik ${name}`, (i) => throttle.hit(pick(i))));
    }
    // The log keeps one entry per admitted millisecond: give it a limit it can hold.
    const log = new Throttle({ uid: 'bench', rate: '100000/second', strategy: new SlidingWindowLogStrategy(), backend: new InMemoryBackend() });
    rows.push(await measure('traffik sliding window log (100000/s)', (i) => log.hit(pick(i))));
    printTable(`throttle.hit, in-process, ${label}, serial`, rows, 'rate-limiter-flexible RateLimiterMemory');
  }
}
