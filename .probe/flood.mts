import { Redis } from 'ioredis';
import { SlidingWindowLogStrategy, Throttle, InMemoryBackend } from '../src/index.js';
import { RedisBackend } from '../src/redis.js';
import { startRedis } from '../test/harness/servers.js';
const server = await startRedis();
const strategy = new SlidingWindowLogStrategy();
const b = new RedisBackend({ url: server.url, namespace: 'x' });
const nb = new RedisBackend({ url: server.url, namespace: 'y', rememberDenials: false });
const t = new Throttle({ uid: 'f', rate: '5/hour', strategy, backend: b, onError: 'raise' });
const u = new Throttle({ uid: 'f', rate: '5/hour', strategy, backend: nb, onError: 'raise' });
const m = new Throttle({ uid: 'f', rate: '5/hour', strategy, backend: new InMemoryBackend(), onError: 'raise' });
for (const th of [t, u, m]) for (let i = 0; i < 6; i++) await th.hit('a');
for (let r = 0; r < 3; r++) for (const [n, th] of [['cached', t], ['uncached', u], ['memory', m]] as const) {
  const s = performance.now();
  const N = n === 'uncached' ? 10000 : 100000;
  for (let i = 0; i < N; i++) await th.hit('a');
  console.log(n, (((performance.now() - s) * 1000) / N).toFixed(2), 'us/hit');
}
await b.close(); await nb.close(); await server.stop(); process.exit(0);
