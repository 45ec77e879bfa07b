/**
 * The Memcached backend as a user meets it: options checked at construction,
 * keys that memcached accepts whatever the identity, expiry that leaves
 * nothing behind, several servers, an existing memjs client, a custom
 * strategy, dry runs that store nothing.
 */
import memjs from 'memjs';
import { describe, expect, inject, it } from 'vitest';
import {
  ConfigurationError, FixedWindowStrategy, Rate, SlidingWindowLogStrategy, Throttle,
  type StepOutcome, type Strategy,
} from '../../src/index.js';
import { MemcachedBackend } from '../../src/memcached.js';
import { expiryField, RELATIVE_EXPIRY_LIMIT_S } from '../../src/core/backends/memcached/expiry.js';
import { itemKey } from '../../src/core/backends/cas/item-key.js';
import { startMemcached } from '../harness/servers.js';
import { closedAfterAll, rawCommand, requestFor, storedKeys } from './support.js';

const servers = inject('memcachedServers');
const backend = closedAfterAll();

/** Remaining TTL in seconds of `key` (meta get), or undefined when absent. */
async function ttlOf(key: string): Promise<number | undefined> {
  const reply = await rawCommand(servers, `mg ${key} t\r\n`, /(EN|HD[^\r]*)\r\n$/);
  const match = /^HD t(-?\d+)/.exec(reply);
  return match ? Number(match[1]) : undefined;
}

describe('options', () => {
  const bad: [string, unknown][] = [
    ['an unknown option', { server: 'x:1' }],
    ['a namespace with a space', { namespace: 'my app' }],
    ['an empty namespace', { namespace: '' }],
    ['a namespace too long', { namespace: 'n'.repeat(101) }],
    ['timeoutMs 0', { timeoutMs: 0 }],
    ['a fractional timeoutMs', { timeoutMs: 1.5 }],
    ['negative maxRetries', { maxRetries: -1 }],
    ['a clock that is not a function', { clock: 5 }],
    ['servers and client', { servers, client: memjs.Client.create(servers) }],
    ['a client that is not memjs', { client: { get() {} } }],
    ['empty servers', { servers: '' }],
    ['servers with a space', { servers: '127.0.0.1: 11211' }],
  ];
  for (const [name, options] of bad) {
    it(`rejects ${name} with a ConfigurationError naming it`, () => {
      expect(() => new MemcachedBackend(options as never)).toThrow(ConfigurationError);
    });
  }
  it('names the wrong value', () => {
    expect(() => new MemcachedBackend({ namespace: 'my app' })).toThrow(/namespace.*"my app"/);
    expect(() => new MemcachedBackend({ timeoutMs: -3 })).toThrow(/timeoutMs.*-3/);
  });
});

describe('keys', () => {
  it('every item key fits memcached\'s rules, whatever the identity, and odd identities never collide', async () => {
    // Lone surrogates too: UTF-8 would turn '\uD800', '\uDC00' and '\uFFFD' into one string.
    const identities = [
      'plain', 'with space', 'new\nline', 'tab\t', 'ünïcødé', '😀', 'x'.repeat(5000), 'x'.repeat(4999), '', ':', '1:a', 'a b', 'a_b',
      '\uD800', '\uDC00', '\uFFFD', 'a\uD83D', 'a\uDE00',
    ];
    const b = backend({ servers, namespace: `keys-${process.pid}` });
    const throttle = new Throttle({ uid: 'keys', rate: '3/minute', backend: b, onError: 'raise' });
    for (const id of identities) {
      const request = requestFor('keys', id, new FixedWindowStrategy(), [Rate.parse('3/minute')], 1);
      const key = itemKey(b.namespace, request.keys);
      expect(Buffer.byteLength(key)).toBeLessThanOrEqual(250);
      expect(key).toMatch(/^[\x21-\x7e]+$/);
    }
    // Each identity has its own count: 2 hits each leave 1 remaining for every one of them.
    for (const id of identities) await throttle.hit(id);
    for (const id of identities) expect((await throttle.hit(id)).remaining).toBe(1);
  });

  it('short plain keys stay readable; long or odd ones are hashed; namespaces and throttles are kept apart', () => {
    const keysOf = (uid: string, id: string) => requestFor(uid, id, new FixedWindowStrategy(), [Rate.parse('1/s')], 1).keys;
    expect(itemKey('api', keysOf('search', 'user-1'))).toContain('search');
    expect(itemKey('api', keysOf('search', 'a b'))).toMatch(/^3:api:h:[0-9a-f]{64}$/);
    // A long identity is already a digest in the throttle's keys (src/core/keys.ts), so the item key stays short.
    expect(itemKey('api', keysOf('search', 'y'.repeat(300))).length).toBeLessThanOrEqual(250);
    expect(itemKey('api', keysOf('search', 'y'.repeat(300)))).not.toContain('yyyy');
    const all = new Set([
      itemKey('api', keysOf('a', 'b:c')), itemKey('api', keysOf('a:b', 'c')),
      itemKey('api', keysOf('a', 'b')), itemKey('api2', keysOf('a', 'b')), itemKey('ap', keysOf('ia', 'b')),
      itemKey('api', [...keysOf('a', 'b'), ...keysOf('a', 'b')]),
    ]);
    expect(all.size).toBe(6);
  });
});

describe('expiry', () => {
  it('rounds up to whole seconds plus 1 s; relative up to 30 days, absolute unix time beyond', () => {
    expect(expiryField(1, 0)).toBe(2);
    expect(expiryField(1000, 0)).toBe(2);
    expect(expiryField(1001, 0)).toBe(3);
    expect(expiryField((RELATIVE_EXPIRY_LIMIT_S - 1) * 1000, 0)).toBe(RELATIVE_EXPIRY_LIMIT_S);
    const now = Date.UTC(2030, 0, 1);
    expect(expiryField(RELATIVE_EXPIRY_LIMIT_S * 1000, now)).toBe(now / 1000 + RELATIVE_EXPIRY_LIMIT_S + 1);
    expect(expiryField(0, now)).toBeGreaterThan(0);
  });

  it('a stored item lives as long as its longest rate needs, and no longer', async () => {
    const b = backend({ servers, namespace: `ttl-${process.pid}` });
    const throttle = new Throttle({ uid: 'ttl', rate: ['2/5s', '10/minute'], strategy: new SlidingWindowLogStrategy(), backend: b, onError: 'raise' });
    await throttle.hit('k');
    const request = requestFor('ttl', 'k', new SlidingWindowLogStrategy(), [Rate.parse('2/5s'), Rate.parse('10/minute')], 1);
    const ttl = await ttlOf(itemKey(b.namespace, request.keys));
    // The log keeps the hit for 60 s: 61 s with the margin (60 if a second ticked meanwhile).
    expect(ttl).toBeGreaterThanOrEqual(59);
    expect(ttl).toBeLessThanOrEqual(61);
  });

  it('beyond 30 days the item gets an absolute expiry memcached honours', async () => {
    const b = backend({ servers, namespace: `ttl-long-${process.pid}` });
    const rate = new Rate({ limit: 3, days: 45 });
    await b.apply(requestFor('long', 'k', new SlidingWindowLogStrategy(), [rate], 1));
    const ttl = await ttlOf(itemKey(b.namespace, requestFor('long', 'k', new SlidingWindowLogStrategy(), [rate], 1).keys));
    expect(ttl).toBeGreaterThan(45 * 86_400 - 5);
    // + 1 s margin, + up to 1 s rounding to whole unix seconds, + memcached's own clock granularity.
    expect(ttl).toBeLessThanOrEqual(45 * 86_400 + 3);
  });

  it('dry runs and denied hits store nothing; reset removes the item', async () => {
    const namespace = `dry-${process.pid}`;
    const b = backend({ servers, namespace });
    const throttle = new Throttle({ uid: 'dry', rate: '1/minute', backend: b, onError: 'raise' });
    const key = itemKey(namespace, requestFor('dry', 'k', new FixedWindowStrategy(), [Rate.parse('1/minute')], 1).keys);
    await throttle.peek('k');
    await throttle.hit('k', { cost: 2 });
    expect(await ttlOf(key)).toBeUndefined();
    await throttle.hit('k');
    expect(await ttlOf(key)).toBeDefined();
    await throttle.reset('k');
    expect(await ttlOf(key)).toBeUndefined();
  });
});

describe('stats', () => {
  it('Throttle.stats reads the stored state of every rate (from memcached) without changing it', async () => {
    let now = Date.UTC(2031, 0, 1, 10);
    const namespace = `stats-${process.pid}`;
    const writer = new Throttle({ uid: 'stats', rate: ['5/second', '20/minute'], backend: backend({ servers, namespace, clock: () => now }), onError: 'raise' });
    // Another backend (another process's view) reads what the first one stored.
    const reader = new Throttle({ uid: 'stats', rate: ['5/second', '20/minute'], backend: backend({ servers, namespace, clock: () => now }), onError: 'raise' });
    await writer.hit('k', { cost: 3 });
    const counts = async (key: string) => {
      const stats = await reader.stats(key);
      expect(stats.error).toBeUndefined();
      return stats.rates.map((r) => r.state?.values.count);
    };
    expect(await counts('k')).toEqual([3, 3]);
    expect(await counts('k')).toEqual([3, 3]);
    now += 1000;
    // The per-second state has expired and reads as fresh; the minute's is still there.
    expect(await counts('k')).toEqual([0, 3]);
    expect(await counts('nobody')).toEqual([0, 0]);
  });
});

describe('clients and servers', () => {
  it('spreads items over several servers by memjs\'s key distribution, with exact counts on each', async () => {
    const [one, two] = await Promise.all([startMemcached(), startMemcached()]);
    try {
      const b = backend({ servers: [one.location, two.location], namespace: 'multi' });
      const throttle = new Throttle({ uid: 'multi', rate: '3/minute', backend: b, onError: 'raise' });
      for (let i = 0; i < 40; i++) {
        const results = await Promise.all([1, 2, 3, 4].map(() => throttle.hit(`user-${i}`)));
        expect(results.map((d) => d.allowed)).toEqual([true, true, true, false]);
      }
      const [onOne, onTwo] = await Promise.all([storedKeys(one.location), storedKeys(two.location)]);
      expect(onOne.length).toBeGreaterThan(5);
      expect(onTwo.length).toBeGreaterThan(5);
      expect(onOne.length + onTwo.length).toBe(40);
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }
  });

  it('uses an existing memjs client and leaves it open on close()', async () => {
    const client = memjs.Client.create(servers, { logger: { log: () => undefined } });
    try {
      const b = new MemcachedBackend({ client, namespace: `client-${process.pid}` });
      const throttle = new Throttle({ uid: 'client', rate: '2/minute', backend: b, onError: 'raise' });
      expect((await throttle.hit('k')).remaining).toBe(1);
      await b.close();
      await client.set(`client-${process.pid}-probe`, 'ok', { expires: 5 });
      expect((await client.get(`client-${process.pid}-probe`)).value?.toString()).toBe('ok');
      // Another backend on the same servers sees the same count.
      const other = backend({ servers, namespace: `client-${process.pid}` });
      expect((await new Throttle({ uid: 'client', rate: '2/minute', backend: other }).hit('k')).remaining).toBe(0);
    } finally {
      client.close();
    }
  });

  it('runs a custom strategy (any Strategy: step, serialize, parse), shared between backends', async () => {
    interface Tally { readonly day: number; readonly used: number }
    /** "At most L per calendar day of the clock", state as JSON. */
    const daily: Strategy<Tally> = {
      name: 'daily-json',
      step(state, now, cost, rate): StepOutcome<Tally> {
        const day = Math.floor(now / 86_400_000);
        const used = state?.day === day ? state.used : 0;
        const ok = used + cost <= rate.limit;
        const after = ok ? used + cost : used;
        const end = (day + 1) * 86_400_000 - now;
        return {
          decision: { allowed: ok, limit: rate.limit, remaining: rate.limit - after, retryAfterMs: ok ? 0 : end, resetAfterMs: after === 0 ? 0 : end, delayMs: 0 },
          state: { day, used: after },
          ttlMs: end,
        };
      },
      serialize: (s) => JSON.stringify(s),
      parse: (text) => JSON.parse(text) as Tally,
    };
    let now = Date.UTC(2031, 5, 1, 10);
    const namespace = `custom-${process.pid}`;
    const a = backend({ servers, namespace, clock: () => now });
    const b = backend({ servers, namespace, clock: () => now });
    const ta = new Throttle({ uid: 'custom', rate: '3/day', strategy: daily, backend: a, onError: 'raise' });
    const tb = new Throttle({ uid: 'custom', rate: '3/day', strategy: daily, backend: b, onError: 'raise' });
    expect((await ta.hit('k', { cost: 2 })).remaining).toBe(1);
    expect((await tb.hit('k')).remaining).toBe(0);
    expect((await ta.hit('k')).allowed).toBe(false);
    now += 86_400_000;
    expect((await tb.hit('k')).remaining).toBe(2);
  });
});
