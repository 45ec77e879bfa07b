import { Redis } from 'ioredis';
import * as N from '../src/index.js';
import { RedisBackend as NewBackend } from '../src/redis.js';
import * as O from '/tmp/base/src/index.js';
import { RedisBackend as OldBackend } from '/tmp/base/src/redis.js';
import { startRedis } from '../test/harness/servers.js';
import { measure } from '../bench/lib.js';
const server = await startRedis();
const client = new Redis(server.url);
const incr = String(await client.script('LOAD', "return redis.call('INCR', KEYS[1])"));
const cases: [string, (i: number) => unknown][] = [['floor', (i) => client.evalsha(incr, 1, `f:${i % 1000}`)]];
const conc = Number(process.env.CONC ?? 64);
const rate = '100000000/hour';
const mk = (lib: any, Backend: any, tag: string, extra: object, strat: string, r = rate) => {
  const b = new Backend({ client, namespace: tag, ...extra });
  const t = new lib.Throttle({ uid: `${tag}${strat}`, rate: r, strategy: new lib[strat](), backend: b, onError: 'raise' });
  return (i: number) => t.hit(`user-${i % 1000}`);
};
for (const strat of (process.env.STRATS ?? 'FixedWindowStrategy').split(',')) {
  cases.push([`old ${strat}`, mk(O, OldBackend, 'o', {}, strat)]);
  cases.push([`new ${strat}`, mk(N, NewBackend, 'n', {}, strat)]);
  cases.push([`new ${strat} no-remember`, mk(N, NewBackend, 'nr', { rememberDenials: false }, strat)]);
}
if (process.env.ALONE) {
  cases.push(['old alone', mk(O, OldBackend, 'oa', { coalesceHits: false }, 'FixedWindowStrategy')]);
  cases.push(['new alone', mk(N, NewBackend, 'na', { coalesceHits: false }, 'FixedWindowStrategy')]);
}
const best = new Map<string, number>();
for (let r = 0; r < 4; r++) for (const [name, fn] of cases) {
  const m = await measure(name, fn, { concurrency: conc, durationMs: 500, warmupMs: 150 });
  best.set(name, Math.max(best.get(name) ?? 0, m.opsPerSec));
}
for (const [k, v] of best) console.log(k.padEnd(45), Math.round(v));
client.disconnect(); await server.stop(); process.exit(0);
