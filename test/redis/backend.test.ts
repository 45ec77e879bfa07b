/**
 * RedisBackend's promises to users on one redis-server: options checked at
 * construction, scripts survive SCRIPT FLUSH, every key has a TTL, reset
 * forgets, wrong data becomes a BackendError for onError (never a crash or a
 * silent allow), a stuck or down server fails within timeoutMs without
 * unhandled rejections or ioredis log noise, and close() closes only the
 * client the backend created. Custom strategies (no Lua twin) are exact too.
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import {
  BackendConnectionError, BackendError, ConfigurationError, FixedWindowStrategy, InMemoryBackend, Rate, Throttle,
  type AnyStrategy,
} from '../../src/index.js';
import { scopeKey, stateSuffix } from '../../src/extend.js';
import { RedisBackend } from '../../src/redis.js';
import { redisKeys } from '../../src/core/backends/redis/keys.js';
import { MAX_HITS_PER_CALL } from '../../src/core/backends/redis/hit-coalescer.js';
import { startRedis } from '../harness/servers.js';
import { generateTrace, manualClock, replayTrace } from '../support/traces.js';
import { builtInStrategies } from './support/strategies.js';

let client: Redis;
const url = inject('redisUrl');
const ns = `unit${process.pid}`;
beforeAll(() => {
  client = new Redis(url);
});
afterAll(async () => {
  await client.quit();
});

/** The Redis key holding `identity`'s state for `rate` in throttle `uid`. */
function stateKey(namespace: string, uid: string, identity: string, strategy: AnyStrategy, rate: string): string {
  const scope = scopeKey(uid, identity);
  return redisKeys(namespace, scope, [scope + stateSuffix(strategy.name, Rate.parse(rate))])[0]!;
}

/** The fixed window's step with no Lua twin: Redis must run it with compare-and-set. */
function customFixedWindow(): AnyStrategy {
  const inner = new FixedWindowStrategy();
  return {
    name: 'custom-fixed-window',
    step: (state, now, cost, rate) => inner.step(state, now, cost, rate),
    serialize: (s) => inner.serialize(s),
    parse: (t) => inner.parse(t),
  };
}

describe('RedisBackend options', () => {
  it('rejects bad options at construction, naming them', () => {
    const bad: [unknown, RegExp][] = [
      [{ url, nmespace: 'x' }, /unknown option "nmespace"/],
      [{}, /exactly one of url/],
      [{ url, client }, /exactly one of url/],
      [{ url: 'http://localhost' }, /redis:\/\/ or rediss:\/\/ URL, got "http:\/\/localhost"/],
      [{ client: {} }, /ioredis Redis or Cluster/],
      [{ url, namespace: 'a{b}' }, /namespace .* got "a\{b\}"/],
      [{ url, namespace: '' }, /namespace/],
      [{ url, timeoutMs: 0 }, /timeoutMs .* got 0/],
      [{ url, clock: 5 }, /clock must be a function/],
      [{ url, onError: 'ignore' }, /onError .* got "ignore"/],
      [{ url, coalesceHits: 'yes' }, /coalesceHits must be true or false, got "yes"/],
    ];
    for (const [options, message] of bad) {
      expect(() => new RedisBackend(options as never)).toThrow(ConfigurationError);
      expect(() => new RedisBackend(options as never)).toThrow(message);
    }
  });
});

describe('RedisBackend on one server', () => {
  it('still succeeds after SCRIPT FLUSH, keeping the state', async () => {
    const throttle = new Throttle({ uid: 'flush', rate: '3/min', backend: new RedisBackend({ client, namespace: ns }), onError: 'raise' });
    expect((await throttle.hit('k')).remaining).toBe(2);
    await client.script('FLUSH');
    expect((await throttle.hit('k')).remaining).toBe(1);
    await client.script('FLUSH');
    expect((await throttle.hitMany('k', [1, 1])).map((d) => d.allowed)).toEqual([true, false]);
  });

  for (const coalesceHits of [true, false]) {
    it(`concurrent hits stay exact, also when their script meets NOSCRIPT (coalesceHits: ${coalesceHits})`, async () => {
      const backend = new RedisBackend({ client, namespace: ns, coalesceHits });
      const throttle = new Throttle({ uid: `together${coalesceHits}${Date.now()}`, rate: '30/min', backend, onError: 'raise' });
      const calls = async (command: string) => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(String(await client.info('commandstats')))?.[1] ?? 0);
      // The backend sends SCRIPT LOAD before a script's first EVALSHA: a warm hit, then the server forgets the script.
      await throttle.hit('warm');
      const [evalshaBefore, evalBefore] = [await calls('evalsha'), await calls('eval')];
      await client.script('FLUSH');
      const decisions = await Promise.all(Array.from({ length: 50 }, () => throttle.hit('k')));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(30);
      // Applied in the order the hits started: the first 30 are allowed, counting down.
      expect(decisions.slice(0, 30).map((d) => d.remaining)).toEqual(Array.from({ length: 30 }, (_, i) => 29 - i));
      const [evalsha, evals] = [(await calls('evalsha')) - evalshaBefore, (await calls('eval')) - evalBefore];
      // Coalesced: the first hit goes alone (nothing on the way), the other 49 of the tick in calls of up to 16, each resent once
      // as EVAL; otherwise one EVALSHA per hit.
      const shared = 1 + Math.ceil(49 / MAX_HITS_PER_CALL);
      if (coalesceHits) expect([evalsha, evals]).toEqual([shared, shared]);
      else expect(evalsha).toBeGreaterThanOrEqual(50);
    });
  }

  it('a hit whose script the server has never seen is not overtaken by a later peek whose script it has', async () => {
    const throttle = new Throttle({ uid: `order${Date.now()}`, rate: '10/min', strategy: new FixedWindowStrategy(), backend: new RedisBackend({ client, namespace: ns }), onError: 'raise' });
    await throttle.peek('k'); // the server knows the general driver's script now, not the fast path's
    const [hit, peek] = await Promise.all([throttle.hit('k', { cost: 3 }), throttle.peek('k')]);
    expect(hit.remaining).toBe(7);
    // A peek of cost 1 after the hit: 6. (When the hit's EVALSHA was answered NOSCRIPT and resent as EVAL, it ran after the peek: 9.)
    expect(peek.remaining).toBe(6);
  });

  it('coalesced hits: a key holding wrong data fails only its own hit, the others of the call go on', async () => {
    const namespace = `${ns}wrongmany`;
    const seen: unknown[] = [];
    const throttle = new Throttle({
      uid: 'wrong-many', rate: '5/min', backend: new RedisBackend({ client, namespace }),
      onError: (error) => { seen.push(error); return 7000; },
    });
    const identities = ['a', 'b', 'c', 'd'];
    await Promise.all(identities.map((id) => throttle.hit(id)));
    const strategy = new FixedWindowStrategy();
    await client.set(stateKey(namespace, 'wrong-many', 'b', strategy, '5/min'), 'garbage');
    const listKey = stateKey(namespace, 'wrong-many', 'c', strategy, '5/min');
    await client.del(listKey);
    await client.lpush(listKey, '1');
    const decisions = await Promise.all(identities.map((id) => throttle.hit(id)));
    expect(decisions.map((d) => [d.allowed, d.remaining, d.retryAfterMs])).toEqual([[true, 3, 0], [false, 0, 7000], [false, 0, 7000], [true, 3, 0]]);
    expect(seen).toHaveLength(2);
    expect(seen.every((e) => e instanceof BackendError)).toBe(true);
    expect((seen[0] as Error).message).toMatch('is not what this strategy writes');
    expect((seen[1] as Error).message).toMatch(/WRONGTYPE/);
    // Nothing was written for the refused hits.
    expect(await client.get(stateKey(namespace, 'wrong-many', 'b', strategy, '5/min'))).toBe('garbage');
  });

  it('coalesced hits keep the order calls were made in: the same tick of hits, peeks and batches decides as on InMemoryBackend', async () => {
    const tick = (throttle: Throttle) => Promise.all([
      throttle.hit('k'), throttle.hit('k', { cost: 2 }), throttle.peek('k'), throttle.hit('j'), throttle.hitMany('k', [3, 3]), throttle.hit('k'),
    ].map((p) => p.then((d) => JSON.stringify(d))));
    const uid = `order${Date.now()}`;
    const clock = () => 1_700_000_012_345;
    const expected = await tick(new Throttle({ uid, rate: '10/min', backend: new InMemoryBackend({ clock }), onError: 'raise' }));
    for (const coalesceHits of [true, false]) {
      const throttle = new Throttle({ uid, rate: '10/min', backend: new RedisBackend({ client, namespace: `${ns}order${coalesceHits}`, clock, coalesceHits }), onError: 'raise' });
      expect(await tick(throttle)).toEqual(expected);
    }
  });

  it('gives every key it writes a TTL no longer than the state needs', async () => {
    const namespace = `${ns}ttl`;
    const backend = new RedisBackend({ client, namespace });
    for (const [label, strategy] of builtInStrategies()) {
      const throttle = new Throttle({ uid: `ttl:${label}`, rate: ['5/min', '20/hour'], strategy, backend, onError: 'raise' });
      await throttle.hit('k', { cost: 2 });
    }
    const keys = await client.keys(`${namespace}:*`);
    expect(keys).toHaveLength(builtInStrategies().length * 2);
    for (const key of keys) {
      const ttl = await client.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(7_200_000); // the longest state here: the counter's two windows of an hour
    }
  });

  it('keeps a TTL on keys the single-hit path writes again in the same window (KEEPTTL), no longer than the state needs', async () => {
    const namespace = `${ns}keepttl`;
    const backend = new RedisBackend({ client, namespace });
    for (const [label, strategy] of builtInStrategies()) {
      const throttle = new Throttle({ uid: `keepttl:${label}`, rate: '50/min', strategy, backend, onError: 'raise' });
      await throttle.hit('k');
      // Coalesced into one script call: each hit rewrites the key the previous one wrote.
      await Promise.all(Array.from({ length: 5 }, () => throttle.hit('k')));
      await throttle.hit('k');
    }
    const keys = await client.keys(`${namespace}:*`);
    expect(keys).toHaveLength(builtInStrategies().length);
    for (const key of keys) {
      const ttl = await client.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(120_000); // the longest state here: the counter's two windows of a minute
    }
    // The fixed window's key, written again with KEEPTTL, still expires at the end of its window.
    const fixed = builtInStrategies().find(([label]) => label === 'fixed window')![1];
    const windowLeft = 60_000 - (Date.now() % 60_000);
    expect(await client.pttl(stateKey(namespace, 'keepttl:fixed window', 'k', fixed, '50/min'))).toBeLessThanOrEqual(windowLeft + 50);
  });

  it('reset forgets a key on every rate', async () => {
    const throttle = new Throttle({ uid: 'reset', rate: ['1/min', '5/hour'], backend: new RedisBackend({ client, namespace: ns }), onError: 'raise' });
    expect((await throttle.hit('k')).allowed).toBe(true);
    expect((await throttle.hit('k')).allowed).toBe(false);
    await throttle.reset('k');
    expect((await throttle.hit('k')).allowed).toBe(true);
  });

  it('turns wrong data in a key into a BackendError for onError, for every strategy', async () => {
    const namespace = `${ns}wrong`;
    for (const [label, strategy] of [...builtInStrategies(), ['custom', customFixedWindow()] as [string, AnyStrategy]]) {
      for (const [kind, overwrite] of [
        ['garbage', (key: string) => client.set(key, 'garbage')],
        ['bad number', (key: string) => client.set(key, '1,x')],
        ['huge number', (key: string) => client.set(key, '99999999999999999999,1')],
        ['a list', async (key: string) => { await client.del(key); await client.lpush(key, '1'); }],
      ] as const) {
        const uid = `wrong:${label}:${kind}`;
        const seen: unknown[] = [];
        const throttle = new Throttle({
          uid, rate: '5/min', strategy, backend: new RedisBackend({ client, namespace }),
          onError: (error) => { seen.push(error); return 7000; },
        });
        expect((await throttle.hit('k')).allowed).toBe(true);
        const key = stateKey(namespace, uid, 'k', strategy, '5/min');
        await overwrite(key);
        const d = await throttle.hit('k');
        expect({ label, kind, allowed: d.allowed, retryAfterMs: d.retryAfterMs }).toEqual({ label, kind, allowed: false, retryAfterMs: 7000 });
        expect(seen).toHaveLength(1);
        expect(seen[0]).toBeInstanceOf(BackendError);
        expect((seen[0] as Error).message).toMatch(kind === 'a list' ? /WRONGTYPE/ : `stored state of key ${key} is not what`);
      }
    }
  });

  it('closes only the client it created', async () => {
    const own = new RedisBackend({ url, namespace: ns });
    await new Throttle({ uid: 'close', rate: '5/s', backend: own }).hit('k');
    await own.close();
    await own.close();
    await vi.waitFor(() => expect((own.client as Redis).status).toBe('end'));
    await expect(own.apply({ strategy: new FixedWindowStrategy(), scope: 'x', keys: ['x'], rates: [Rate.parse('1/s')], cost: 1 })).rejects.toBeInstanceOf(BackendConnectionError);
    const borrowed = new RedisBackend({ client, namespace: ns });
    await borrowed.close();
    expect(client.status).toBe('ready');
  });
});

describe('RedisBackend and ioredis auto-pipelining', () => {
  it('builds its URL client without it, and keeps its own commands off a user client\'s auto-pipeline', async () => {
    const fromUrl = new RedisBackend({ url: inject('redisUrl'), namespace: ns });
    expect((fromUrl.client as Redis).options.enableAutoPipelining).toBe(false);
    await fromUrl.close();
    const pipelined = new Redis(inject('redisUrl'), { enableAutoPipelining: true });
    try {
      await pipelined.ping();
      const throttle = new Throttle({ uid: 'autopipe', rate: '10/min', strategy: new FixedWindowStrategy(), backend: new RedisBackend({ client: pipelined, namespace: ns }), onError: 'raise' });
      const hits = [throttle.hit('k'), throttle.hit('k'), throttle.peek('k')];
      // Sent at once, not queued for the next tick's pipeline (a queued hit would wait there a second time).
      expect(pipelined.autoPipelineQueueSize).toBe(0);
      const theirs = pipelined.get('unrelated');
      expect(pipelined.autoPipelineQueueSize).toBe(1);
      expect((await Promise.all(hits)).map((d) => d.remaining)).toEqual([9, 8, 7]);
      await theirs;
    } finally {
      pipelined.disconnect();
    }
  });
});

describe('RedisBackend round trips', () => {
  it('sends one EVALSHA per hit, per peek and per batch, and nothing else', async () => {
    const server = await startRedis();
    // Denials not remembered: every hit goes to Redis (denial-cache-redis.test.ts covers the other case).
    const backend = new RedisBackend({ url: server.url, namespace: ns, rememberDenials: false });
    const admin = new Redis(server.url);
    try {
      const throttle = new Throttle({ uid: 'trips', rate: ['5/s', '100/min', '1000/hour'], strategy: builtInStrategies()[3]![1], backend, onError: 'raise' });
      await throttle.hit('warm'); // loads the script (EVALSHA answered NOSCRIPT, then EVAL)
      await admin.config('RESETSTAT');
      for (let i = 0; i < 10; i++) await throttle.hit(`k${i % 3}`, { cost: i % 4 });
      await throttle.peek('k0');
      await throttle.hitMany('k1', [1, 2, 3, 4, 5]);
      const stats = (await admin.info('commandstats')).split('\r\n').filter((line) => line.startsWith('cmdstat_'));
      const calls = Object.fromEntries(stats.map((line) => [line.slice(8, line.indexOf(':')), Number(/calls=(\d+)/.exec(line)![1])]));
      expect(calls).toEqual({ evalsha: 12, get: 36, set: expect.any(Number), time: 12, 'config|resetstat': 1 });
    } finally {
      admin.disconnect();
      await backend.close();
      await server.stop();
    }
  });
});

describe('RedisBackend when the server fails', () => {
  it('a paused server fails within timeoutMs, a dead one too, and it recovers; no unhandled rejection, no ioredis log', async () => {
    const server = await startRedis();
    const logged = vi.spyOn(console, 'error');
    const warned = vi.spyOn(console, 'warn');
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const backend = new RedisBackend({ url: server.url, namespace: ns, timeoutMs: 300 });
    const throttle = new Throttle({ uid: 'down', rate: '100/min', backend, onError: 'raise' });
    try {
      expect((await throttle.hit('k')).allowed).toBe(true);
      server.pause();
      let started = performance.now();
      await expect(throttle.hit('k')).rejects.toBeInstanceOf(BackendConnectionError);
      expect(performance.now() - started).toBeLessThan(300 + 700); // timeoutMs, plus slack for a loaded machine
      // The default policy denies instead of hanging.
      const denied = await new Throttle({ uid: 'down', rate: '100/min', backend }).hit('k');
      expect(denied.allowed).toBe(false);
      server.resume();
      await vi.waitFor(async () => expect((await throttle.hit('k')).allowed).toBe(true), { timeout: 5000 });
      await server.kill();
      started = performance.now();
      await expect(throttle.hit('k')).rejects.toBeInstanceOf(BackendConnectionError);
      expect(performance.now() - started).toBeLessThan(300 + 700); // timeoutMs, plus slack for a loaded machine
      await server.restart();
      await vi.waitFor(async () => expect((await throttle.hit('k')).allowed).toBe(true), { timeout: 10_000 });
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
      const noise = [...logged.mock.calls, ...warned.mock.calls].map((c) => String(c[0])).filter((m) => /ioredis|Unhandled error/i.test(m));
      expect(noise).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      logged.mockRestore();
      warned.mockRestore();
      await backend.close();
      await server.stop();
    }
  });
});

describe('custom strategies (no Lua twin) on Redis', () => {
  it('replay like InMemoryBackend', async () => {
    const strategy = customFixedWindow();
    for (const rates of [['5/s'], ['3/400ms', '10/3s']]) {
      const trace = generateTrace({ seed: 77, length: 600, maxCost: 11, maxAdvanceMs: 1500 });
      const memoryClock = manualClock(1_700_000_000_000);
      const redisClock = manualClock(1_700_000_000_000);
      const uid = `custom:${rates.join('+')}`;
      const expected = await replayTrace(trace, new Throttle({ uid, rate: rates, strategy, backend: new InMemoryBackend({ clock: memoryClock.now }), onError: 'raise' }), memoryClock);
      const actual = await replayTrace(trace, new Throttle({ uid, rate: rates, strategy, backend: new RedisBackend({ client, namespace: `${ns}custom`, clock: redisClock.now }), onError: 'raise' }), redisClock);
      expect(actual).toEqual(expected);
    }
  });

  it('stay exact under contention: 300 concurrent hits, 100/minute, exactly 100 allowed', async () => {
    const second = new Redis(url);
    try {
      // 300 racing on one key: a hit may lose many rounds before it wins, so allow plenty.
      const options = { namespace: `${ns}cas`, maxCasAttempts: 1000, timeoutMs: 20_000 };
      const backends = [new RedisBackend({ client, ...options }), new RedisBackend({ client: second, ...options })];
      const strategy = customFixedWindow();
      // One uid for both (two Date.now() calls may fall in two milliseconds: two keys, 200 allowed).
      const uid = `cas${Date.now()}`;
      const throttles = backends.map((backend) => new Throttle({ uid, rate: '100/min', strategy, backend, onError: 'raise' }));
      const decisions = await Promise.all(Array.from({ length: 300 }, (_, i) => throttles[i % 2]!.hit('k')));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(100);
    } finally {
      await second.quit();
    }
  });
});
