import { Redis } from 'ioredis';
import * as N from '../src/index.js';
import { RedisBackend as NewBackend } from '../src/redis.js';
import * as O from '/tmp/base/src/index.js';
import { RedisBackend as OldBackend } from '/tmp/base/src/redis.js';
import { startRedis } from '../test/harness/servers.js';
import { measure } from '../bench/lib.js';
const server = await startRedis();
const client = new Redis(server.url);
for (const strat of ['FixedWindowStrategy', 'TokenBucketStrategy', 'SlidingWindowLogStrategy']) for (const [tag, lib, B] of [['old', O, OldBackend], ['new', N, NewBackend]] as const) for (const conc of [1, 64]) {
  const t = new (lib as any).Throttle({ uid: tag + strat + conc, rate: strat === 'SlidingWindowLogStrategy' ? '100000/second' : '100000000/hour', strategy: new (lib as any)[strat](), backend: new (B as any)({ client, namespace: tag }), onError: 'raise' });
  await measure('w', (i) => t.hit(`user-${i % 1000}`), { concurrency: conc, durationMs: 300, warmupMs: 100 });
  await client.config('RESETSTAT');
  const m = await measure('x', (i) => t.hit(`user-${i % 1000}`), { concurrency: conc, durationMs: 1000, warmupMs: 0 });
  const line = (await client.info('commandstats')).split('\r\n').find((l) => l.startsWith('cmdstat_evalsha:'))!;
  const usec = Number(/usec=(\d+)/.exec(line)![1]);
  const hits = m.opsPerSec * 1.0;
  console.log(`${tag} ${strat.padEnd(26)} conc ${String(conc).padStart(2)}: ${Math.round(m.opsPerSec)} hits/s, redis ${(usec / hits).toFixed(2)} us/hit`);
}
client.disconnect(); await server.stop(); process.exit(0);
