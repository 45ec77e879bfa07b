/**
 * README "Backends: Redis and Memcached", run as written
 * (redis-url.snippet.ts: `new RedisBackend({ url })` and
 * `new MemcachedBackend({ servers })`, the addresses of the test's
 * servers), each under a throttle of 3/hour: three hits allowed, the
 * fourth denied with a wait.
 */
import { randomUUID } from 'node:crypto';
import { Throttle } from 'traffik';
import { memcached, redis } from './redis-url.snippet.js';
import { clearOfWindowEdge, report } from './driver.js';

await clearOfWindowEdge(3_600_000, 5000);
const observed: Record<string, unknown> = {};
for (const [name, backend] of [['redis', redis], ['memcached', memcached]] as const) {
  const throttle = new Throttle({ uid: 'quickstart', rate: '3/hour', backend });
  const key = `user:${randomUUID()}`;
  const decisions = [];
  for (let i = 0; i < 4; i++) decisions.push(await throttle.hit(key));
  observed[name] = decisions.map((d) => ({ allowed: d.allowed, remaining: d.remaining, retryAfterMs: d.retryAfterMs, error: d.error === undefined ? null : String(d.error) }));
}
await Promise.all([redis.close(), memcached.close()]);
report(observed);
