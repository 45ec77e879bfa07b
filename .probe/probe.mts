import { Redis } from 'ioredis';
import { FixedWindowStrategy, Throttle, TokenBucketStrategy } from '../src/index.js';
import { RedisBackend } from '../src/redis.js';
import { startRedis } from '../test/harness/servers.js';
import { measure } from '../bench/lib.js';
const server = await startRedis();
const client = new Redis(server.url);
const incr = String(await client.script('LOAD', "return redis.call('INCR', KEYS[1])"));
const cases: [string, (i: number) => unknown][] = [['floor', (i) => client.evalsha(incr, 1, `f:${i % 1000}`)]];
for (const remember of [false, true]) for (const coalesce of [true, false]) for (const [n, s] of [['fw', () => new FixedWindowStrategy()], ['tb', () => new TokenBucketStrategy()]] as const) {
  const b = new RedisBackend({ client, namespace: 'p', rememberDenials: remember, coalesceHits: coalesce });
  const t = new Throttle({ uid: `${n}${remember}${coalesce}`, rate: '100000000/hour', strategy: s(), backend: b, onError: 'raise' });
  cases.push([`${n} remember=${remember} coalesce=${coalesce}`, (i) => t.hit(`user-${i % 1000}`)]);
}
for (let r = 0; r < 2; r++) for (const [name, fn] of cases) {
  const m = await measure(name, fn, { concurrency: 64, durationMs: 600, warmupMs: 200 });
  console.log(name, Math.round(m.opsPerSec));
}
const info = await client.info('commandstats');
console.log(info.split('\r\n').filter((l) => l.includes('calls')).join('\n'));
client.disconnect(); await server.stop(); process.exit(0);
