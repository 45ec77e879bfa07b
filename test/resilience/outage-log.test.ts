/**
 * A store that is down must be visible (issue 15.1): one log line per
 * outage with its cause, one when it recovers, decisions that carry the
 * error (the integrations' "rate limiter unavailable"), counted as errors.
 * Real redis-servers: an unreachable URL, and a private server killed and
 * restarted.
 */
import { describe, expect, it } from 'vitest';
import { BackendConnectionError, BackendError, Throttle, type DecisionEvent } from '../../src/index.js';
import { RedisBackend } from '../../src/redis.js';
import { freePort, startRedis } from '../harness/servers.js';

function collectingLogger() {
  const lines: { level: 'warn' | 'error'; message: string }[] = [];
  return { lines, logger: { warn: (message: string) => void lines.push({ level: 'warn', message }), error: (message: string) => void lines.push({ level: 'error', message }) } };
}

describe('store outages are logged once, with their cause', () => {
  it('a wrong Redis URL: one error line naming the backend, namespace and cause for 20 hits; every decision carries the error', async () => {
    const port = await freePort();
    const backend = new RedisBackend({ url: `redis://127.0.0.1:${port}`, namespace: 'shop', timeoutMs: 200 });
    const { lines, logger } = collectingLogger();
    const outcomes: string[] = [];
    const throttle = new Throttle({ uid: 'checkout', rate: '10/second', backend, logger, onDecision: (e: DecisionEvent) => void outcomes.push(e.outcome) });
    try {
      const decisions = await Promise.all(Array.from({ length: 20 }, (_, i) => throttle.hit(`user-${i % 3}`)));
      for (const d of decisions) {
        expect(d.allowed).toBe(false);
        expect(d.error).toBeInstanceOf(BackendError);
      }
      expect(outcomes).toEqual(Array(20).fill('error'));
      expect(lines).toHaveLength(1);
      expect(lines[0]!.level).toBe('error');
      expect(lines[0]!.message).toMatch(/RedisBackend \(namespace "shop"\) failed \(throttle "checkout"\)/);
      expect(lines[0]!.message).toMatch(/onError \('throttle'\)/);
      // The cause is the backend's own error text.
      expect(lines[0]!.message).toContain((decisions[0]!.error as Error).message);
      // Later hits of the same outage, from another throttle too, log nothing more.
      const other = new Throttle({ uid: 'search', rate: '10/second', backend, logger });
      await other.hit('x');
      await throttle.hit('y');
      expect(lines).toHaveLength(1);
    } finally {
      await backend.close();
    }
  });

  it('a server killed and restarted: one error line when it goes, one warn line when it answers again', async () => {
    const server = await startRedis();
    const backend = new RedisBackend({ url: server.url, namespace: 'api', timeoutMs: 300 });
    const { lines, logger } = collectingLogger();
    const throttle = new Throttle({ uid: 'api', rate: '100/second', backend, logger });
    try {
      expect((await throttle.hit('k')).error).toBeUndefined();
      await server.kill();
      for (let i = 0; i < 5; i++) expect((await throttle.hit('k')).error).toBeInstanceOf(BackendConnectionError);
      expect(lines.map((l) => l.level)).toEqual(['error']);
      await server.restart();
      let recovered = false;
      for (let i = 0; i < 100 && !recovered; i++) {
        recovered = (await throttle.hit('k')).error === undefined;
        if (!recovered) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(recovered).toBe(true);
      expect(lines.map((l) => l.level)).toEqual(['error', 'warn']);
      expect(lines[1]!.message).toMatch(/RedisBackend \(namespace "api"\) answers again after \d+ ms \(\d+ failed calls? during the outage\)/);
      await throttle.hit('k');
      expect(lines).toHaveLength(2);
    } finally {
      await backend.close();
      await server.stop();
    }
  });

  it('logger: false is silent; a logger that throws never fails a hit; a bad logger is refused at construction', async () => {
    const port = await freePort();
    const backend = new RedisBackend({ url: `redis://127.0.0.1:${port}`, namespace: 'quiet', timeoutMs: 100 });
    try {
      const silent = new Throttle({ uid: 'q', rate: '1/s', backend, logger: false });
      expect((await silent.hit('k')).error).toBeDefined();
      const broken = new Throttle({ uid: 'b', rate: '1/s', backend, logger: { warn: () => { throw new Error('x'); }, error: () => { throw new Error('x'); } } });
      expect((await broken.hit('k')).error).toBeDefined();
      expect(() => new Throttle({ uid: 'c', rate: '1/s', logger: { info: () => undefined } as never })).toThrow(/logger must be false or an object with warn and error functions/);
    } finally {
      await backend.close();
    }
  });
});
