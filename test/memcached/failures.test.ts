/**
 * What a user sees when memcached misbehaves: a down, stuck or restarted
 * server, a value overwritten by garbage, writers that keep conflicting.
 * Every failure is a `BackendError` / `BackendConnectionError` within
 * `timeoutMs`, handed to `onError`; never a hang, a crash, a silent allow or
 * an unhandled rejection.
 */
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import {
  BackendConnectionError, BackendError, FixedWindowStrategy, Rate, Throttle, TokenBucketStrategy,
} from '../../src/index.js';
import { MemcachedBackend } from '../../src/memcached.js';
import { itemKey } from '../../src/core/backends/cas/item-key.js';
import { freePort, startMemcached } from '../harness/servers.js';
import { closedAfterAll, rawCommand, requestFor } from './support.js';

const servers = inject('memcachedServers');
const strategy = new FixedWindowStrategy();
const rates = [Rate.parse('5/minute')];
const FIXED_NOW = 1_700_000_030_000;
const backend = closedAfterAll();

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  // Give late socket events (memjs timeouts, resets) a moment to surface.
  await new Promise((r) => setTimeout(r, 50));
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

/** How long `promise` takes to reject, and with what. */
async function rejection(promise: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  try {
    await promise;
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  throw new Error('expected a rejection');
}

/** Resolves once `location` stops answering (a SIGSTOP has taken effect), so the test does not race the signal. */
async function untilSilent(location: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const answered = await Promise.race([
      rawCommand(location, 'version\r\n').then(() => true, () => false),
      new Promise<boolean>((r) => setTimeout(() => r(false), 100)),
    ]);
    if (!answered) return;
  }
  throw new Error(`${location} still answers after SIGSTOP`);
}

describe('garbage in the store', () => {
  const namespace = `garbage-${process.pid}`;
  const cases: [string, string][] = [
    ['not our format', 'hello'],
    ['our format, text the strategy refuses', 't1|1|99999999999999|3|abc'],
    ['our format, wrong number of rates', 't1|2|1|3|1,1|1|3|1,1'],
    ['truncated', 't1|1|5|40|1,'],
  ];
  for (const [name, garbage] of cases) {
    it(`a value overwritten by garbage (${name}) gives a BackendError, and onError decides`, async () => {
      const b = backend({ servers, namespace });
      const request = requestFor('g', name, strategy, rates, 1);
      const key = itemKey(namespace, request.keys);
      expect(await rawCommand(servers, `set ${key} 0 60 ${Buffer.byteLength(garbage)}\r\n${garbage}\r\n`)).toBe('STORED\r\n');
      const { error } = await rejection(b.apply(request));
      expect(error).toBeInstanceOf(BackendError);
      expect(String(error)).toContain('not Traffik state');
      const failClosed = new Throttle({ uid: 'g', rate: '5/minute', backend: b, onError: 'throttle' });
      const decision = await failClosed.hit(name);
      expect(decision.allowed).toBe(false);
      expect(decision.error).toBeInstanceOf(BackendError);
      // reset clears it
      await failClosed.reset(name);
      expect((await failClosed.hit(name)).allowed).toBe(true);
    });
  }
});

describe('server failures', () => {
  it('a server nobody listens on: BackendConnectionError within timeoutMs', async () => {
    const port = await freePort();
    const b = backend({ servers: `127.0.0.1:${port}`, timeoutMs: 400 });
    const { error, ms } = await rejection(b.apply(requestFor('down', 'k', strategy, rates, 1)));
    expect(error).toBeInstanceOf(BackendConnectionError);
    expect(ms).toBeLessThan(600);
    const allowOnError = new Throttle({ uid: 'down', rate: '5/minute', backend: b, onError: 'allow' });
    expect((await allowOnError.hit('k')).allowed).toBe(true);
  });

  it('a killed server fails hits with BackendConnectionError; after a restart hits work again from fresh state', async () => {
    const server = await startMemcached();
    try {
      // A fixed clock: these hits span a restart, and a minute boundary between them would refill the window.
      const b = backend({ servers: server.location, timeoutMs: 400, clock: () => FIXED_NOW });
      const throttle = new Throttle({ uid: 'kill', rate: '2/minute', backend: b, onError: 'raise' });
      expect((await throttle.hit('k')).remaining).toBe(1);
      await server.kill();
      const { error, ms } = await rejection(throttle.hit('k'));
      expect(error).toBeInstanceOf(BackendConnectionError);
      expect(ms).toBeLessThan(600);
      await server.restart();
      // The old CAS and state belong to the dead server: a fresh count starts.
      let decision = await throttle.hit('k').catch(() => throttle.hit('k'));
      expect(decision.allowed).toBe(true);
      expect(decision.remaining).toBe(1);
      decision = await throttle.hit('k');
      expect(decision.remaining).toBe(0);
      expect((await throttle.hit('k')).allowed).toBe(false);
    } finally {
      await server.stop();
    }
  });

  it('a paused (SIGSTOP) server: BackendError within timeoutMs, never a hang; works again once resumed', async () => {
    const server = await startMemcached();
    try {
      // A fixed clock: these hits span a pause, and a minute boundary between them would refill the window.
      const b = backend({ servers: server.location, timeoutMs: 300, clock: () => FIXED_NOW });
      const throttle = new Throttle({ uid: 'pause', rate: '10/minute', backend: b, onError: 'raise' });
      expect((await throttle.hit('k')).allowed).toBe(true);
      server.pause();
      await untilSilent(server.location);
      const results = await Promise.all([rejection(throttle.hit('k')), rejection(throttle.hit('other')), rejection(throttle.peek('k'))]);
      for (const { error, ms } of results) {
        expect(error).toBeInstanceOf(BackendError);
        expect(ms).toBeLessThan(500);
      }
      server.resume();
      // A request that timed out may still be applied once the server thaws (it then counts:
      // an error never lets more through). After that, store and decisions agree again.
      const decision = await throttle.hit('k').catch(() => throttle.hit('k'));
      expect(decision.allowed).toBe(true);
      expect(decision.remaining).toBeLessThanOrEqual(8);
      expect((await throttle.peek('k', { cost: 0 })).remaining).toBe(decision.remaining);
    } finally {
      server.resume();
      await server.stop();
    }
  });

  it('a memcached with CAS disabled (-C) is refused with a BackendError, not used inexactly', async () => {
    const port = await freePort();
    const args = ['-p', String(port), '-l', '127.0.0.1', '-U', '0', '-m', '16', '-C'];
    if (process.getuid?.() === 0) args.push('-u', 'root');
    const child = spawn('memcached', args, { stdio: 'ignore' });
    try {
      const location = `127.0.0.1:${port}`;
      for (let i = 0; ; i++) {
        try {
          await rawCommand(location, 'version\r\n');
          break;
        } catch (error) {
          if (i > 200) throw error;
          await new Promise((r) => setTimeout(r, 25));
        }
      }
      const b = backend({ servers: location });
      const throttle = new Throttle({ uid: 'nocas', rate: '5/minute', backend: b, onError: 'raise' });
      for (const key of ['fresh', 'fresh']) {
        const { error } = await rejection(throttle.hit(key));
        expect(error).toBeInstanceOf(BackendError);
        expect(String(error)).toMatch(/CAS disabled/);
      }
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a closed backend rejects with BackendConnectionError', async () => {
    const b = new MemcachedBackend({ servers });
    await b.close();
    await b.close();
    const { error } = await rejection(b.apply(requestFor('closed', 'k', strategy, rates, 1)));
    expect(error).toBeInstanceOf(BackendConnectionError);
  });
});

describe('conflicts', () => {
  it('retries exhausted: a BackendError for onError, never a silent allow', async () => {
    const namespace = `conflict-${process.pid}`;
    const bucket = new TokenBucketStrategy();
    const limit = 20;
    const many = [Rate.parse(`${limit}/hour`)];
    let conflicts = 0;
    for (let round = 0; round < 30 && conflicts === 0; round++) {
      // Two backends = two processes' worth of clients, no retries allowed.
      const a = backend({ servers, namespace, maxRetries: 0 });
      const b = backend({ servers, namespace, maxRetries: 0 });
      const hits: Promise<{ allowed: boolean } | 'error'>[] = [];
      for (let i = 0; i < 60; i++) {
        const request = requestFor('c', `round-${round}`, bucket, many, 1);
        const target = i % 2 === 0 ? a : b;
        // Space the hits so the two backends' cycles overlap instead of each coalescing everything.
        await new Promise((r) => setImmediate(r));
        hits.push(target.apply(request).then(
          (d) => ({ allowed: d[0]!.allowed }),
          (error: unknown) => {
            expect(error).toBeInstanceOf(BackendError);
            expect(String(error)).toMatch(/still changing after 0 retries/);
            return 'error' as const;
          },
        ));
      }
      const results = await Promise.all(hits);
      conflicts = results.filter((r) => r === 'error').length;
      const allowed = results.filter((r) => r !== 'error' && r.allowed).length;
      expect(allowed).toBeLessThanOrEqual(limit);
      // Every allowed hit was stored: the count agrees with the store.
      const after = await a.apply(requestFor('c', `round-${round}`, bucket, many, 0));
      expect(after[0]!.remaining).toBe(limit - allowed);
    }
    expect(conflicts).toBeGreaterThan(0);
  });
});
