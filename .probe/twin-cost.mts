import { Redis } from 'ioredis';
import * as N from '../src/index.js';
import { RedisBackend as NewBackend } from '../src/redis.js';
import * as O from '/tmp/base/src/index.js';
import { startRedis } from '../test/harness/servers.js';
import { measure } from '../bench/lib.js';
const server = await startRedis();
const client = new Redis(server.url);
for (const strat of ['FixedWindowStrategy', 'TokenBucketStrategy']) for (const twin of ['oldtwin', 'newtwin']) {
  const s = new (N as any)[strat]();
  if (twin === 'oldtwin') { const o = new (O as any)[strat](); Object.defineProperty(s, 'lua', { value: o.lua }); }
  const t = new N.Throttle({ uid: twin + strat, rate: '100000000/hour', strategy: s, backend: new NewBackend({ client, namespace: twin }), onError: 'raise' });
  for (let r = 0; r < 2; r++) {
  await measure('w', (i) => t.hit(`user-${i % 1000}`), { concurrency: 64, durationMs: 300, warmupMs: 100 });
  await client.config('RESETSTAT');
  const m = await measure('x', (i) => t.hit(`user-${i % 1000}`), { concurrency: 64, durationMs: 1000, warmupMs: 0 });
  const line = (await client.info('commandstats')).split('\r\n').find((l) => l.startsWith('cmdstat_evalsha:'))!;
  console.log(`${twin} ${strat.padEnd(22)}: ${Math.round(m.opsPerSec)} hits/s, redis ${(Number(/usec=(\d+)/.exec(line)![1]) / m.opsPerSec).toFixed(2)} us/hit`);
  }
}
client.disconnect(); await server.stop(); process.exit(0);
