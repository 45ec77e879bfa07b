/**
 * Exactness on one redis-server: 4 separate Node processes x 250 concurrent
 * hits on one key, limit 100 per minute, server clock: exactly 100 allowed,
 * for every built-in strategy. And two processes whose local clocks are 30 s
 * apart share one limit correctly, because time comes from the server.
 */
import { describe, expect, inject, it } from 'vitest';
import { expectExactlyOneHundred } from './support/exactness.js';
import { runWorkers } from './support/workers.js';

describe('RedisBackend across processes', () => {
  it('4 processes x 250 concurrent hits, 100/minute: exactly 100 allowed, every strategy', async () => {
    await expectExactlyOneHundred({ url: inject('redisUrl') }, `exact${process.pid}`);
  });

  it('two processes with local clocks 30 s apart share one limit (server time)', async () => {
    const run = `${process.pid}-${Date.now()}`;
    const rounds = ['fixed window', 'sliding window log', 'token bucket'].map((strategy) => ({ uid: `skew:${strategy}:${run}`, strategy, rate: '10/minute', hits: 12 }));
    const redis = { url: inject('redisUrl') };
    const results = await runWorkers([
      { redis, namespace: `skew${process.pid}`, clockOffsetMs: 0, rounds },
      { redis, namespace: `skew${process.pid}`, clockOffsetMs: 30_000, rounds },
    ]);
    for (const [r, [behind, ahead]] of results.entries()) {
      const label = rounds[r]!.strategy;
      expect({ label, allowed: behind!.allowed + ahead!.allowed, errors: [...behind!.errors, ...ahead!.errors] }).toEqual({ label, allowed: 10, errors: [] });
      // Both see the same wait: nothing is shifted by the 30 s of local skew.
      expect(behind!.denied + ahead!.denied).toBe(14);
      expect(behind!.denied).toBeGreaterThan(0);
      expect(ahead!.denied).toBeGreaterThan(0);
      expect(Math.abs(behind!.minRetryAfterMs - ahead!.minRetryAfterMs)).toBeLessThan(2000);
      expect(Math.abs(behind!.maxRetryAfterMs - ahead!.maxRetryAfterMs)).toBeLessThan(2000);
      expect(Math.max(behind!.maxRetryAfterMs, ahead!.maxRetryAfterMs)).toBeLessThanOrEqual(60_000);
    }
  });
});
