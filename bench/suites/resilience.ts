/**
 * What a dead Redis costs each request. A private redis-server is started,
 * warmed up, then killed (SIGKILL); each case then times serial hits against
 * it, every one falling back to an in-process limiter:
 * - traffik `fallback` (the failed call to Redis is paid on every hit, up to timeoutMs),
 * - traffik `failover` with a CircuitBreaker (once open, Redis is not called at all),
 * - rate-limiter-flexible `RateLimiterRedis` with an `insuranceLimiter`
 *   (RateLimiterMemory), as it is, and with `rejectIfRedisNotReady` (skips
 *   Redis while ioredis is not connected).
 * The numbers are per-hit latency after the outage began, the first hits
 * (which trip the breaker) included.
 */
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { CircuitBreaker, failover, fallback } from '../../src/errors.js';
import { InMemoryBackend, Throttle } from '../../src/index.js';
import { RedisBackend } from '../../src/redis.js';
import { startRedis } from '../../test/harness/servers.js';
import { printGrid } from '../lib.js';

const TIMEOUT_MS = 200;
const POINTS = 100_000_000;

/** Latencies (ms) of up to `count` serial calls, stopping early after `budgetMs`. */
async function latencies(call: (i: number) => Promise<unknown>, count: number, budgetMs: number): Promise<number[]> {
  const end = performance.now() + budgetMs;
  const times: number[] = [];
  for (let n = 0; n < count && performance.now() < end; n++) {
    const started = performance.now();
    await call(n);
    times.push(performance.now() - started);
  }
  return times;
}

function formatMs(ms: number): string {
  return ms >= 1 ? `${ms.toFixed(1)} ms` : `${(ms * 1000).toFixed(1)} µs`;
}

export default async function run(): Promise<void> {
  const server = await startRedis();
  const budgetMs = Number(process.env.BENCH_MS ?? 1500);
  const clients: Redis[] = [];
  const newClient = () => {
    const client = new Redis(server.url, { maxRetriesPerRequest: 2, commandTimeout: TIMEOUT_MS });
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  };
  const backends = [0, 1].map(() => new RedisBackend({ url: server.url, namespace: 'bench-resilience', timeoutMs: TIMEOUT_MS }));
  const cases: [string, (i: number) => Promise<unknown>][] = [
    ['traffik, fallback to InMemoryBackend', ((t) => (i: number) => t.hit(`u${i % 100}`))(
      new Throttle({ uid: 'fb', rate: `${POINTS}/hour`, backend: backends[0], onError: fallback({ backend: new InMemoryBackend() }) }))],
    ['traffik, failover to InMemoryBackend + CircuitBreaker', ((t) => (i: number) => t.hit(`u${i % 100}`))(
      new Throttle({ uid: 'fo', rate: `${POINTS}/hour`, backend: backends[1], onError: failover({ backend: new InMemoryBackend(), breaker: new CircuitBreaker({ failureThreshold: 5 }), maxRetries: 0 }) }))],
    ['rate-limiter-flexible RateLimiterRedis + insuranceLimiter', ((l) => (i: number) => l.consume(`u${i % 100}`))(
      new RateLimiterRedis({ storeClient: newClient(), points: POINTS, duration: 3600, insuranceLimiter: new RateLimiterMemory({ points: POINTS, duration: 3600 }) }))],
    ['rate-limiter-flexible, same + rejectIfRedisNotReady', ((l) => (i: number) => l.consume(`u${i % 100}`))(
      new RateLimiterRedis({ storeClient: newClient(), points: POINTS, duration: 3600, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory({ points: POINTS, duration: 3600 }) }))],
  ];
  try {
    for (const [, call] of cases) for (let i = 0; i < 100; i++) await call(i); // warm, with Redis up
    await server.kill();
    const rows: string[][] = [];
    for (const [name, call] of cases) {
      const times = await latencies(call, 20_000, budgetMs);
      const sorted = [...times].sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
      const mean = times.reduce((a, b) => a + b, 0) / times.length;
      rows.push([name, String(times.length), formatMs(mean), formatMs(at(0.5)), formatMs(at(0.99)), formatMs(sorted.at(-1)!)]);
    }
    printGrid(
      `A dead Redis: serial hits after SIGKILL, each decided by an in-process fallback (timeoutMs ${TIMEOUT_MS}; ${budgetMs} ms or 20,000 hits per case)`,
      ['case', 'hits', 'mean', 'p50', 'p99', 'max'], rows,
    );
  } finally {
    await Promise.all(backends.map((b) => b.close()));
    for (const client of clients) client.disconnect();
    await server.stop();
  }
}
