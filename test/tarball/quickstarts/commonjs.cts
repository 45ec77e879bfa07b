/**
 * The package from CommonJS (compiled to commonjs.cjs, loaded with
 * `require`): README's quick start on the in-process backend and a Redis
 * backend from a URL, in a script without top-level await.
 */
import { InMemoryBackend, Throttle, TokenBucketStrategy } from 'traffik';
import { RedisBackend } from 'traffik/redis';

async function main(): Promise<void> {
  const throttle = new Throttle({
    uid: 'search',
    rate: '100/minute',
    strategy: new TokenBucketStrategy({ burstSize: 150 }),
    backend: new InMemoryBackend(),
  });
  const local = [];
  for (let i = 0; i < 151; i++) local.push((await throttle.hit('user:42', { cost: 1 })).allowed);
  const redis = new RedisBackend({ url: process.env.REDIS_URL!, namespace: 'cjs' });
  const remote = new Throttle({ uid: 'search', rate: '2/hour', strategy: new TokenBucketStrategy(), backend: redis });
  const shared = [];
  for (let i = 0; i < 3; i++) shared.push((await remote.hit(`user:${process.pid}`)).allowed);
  await redis.close();
  process.stdout.write(`RESULT ${JSON.stringify({ moduleType: typeof module, runMs: performance.now(), allowedLocally: local.filter(Boolean).length, shared })}\n`);
}
void main();
