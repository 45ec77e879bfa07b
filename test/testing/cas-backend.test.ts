/**
 * casBackend's own promises, on in-process stores: options checked at
 * construction, every store failure (throw, rejection, no answer) a
 * BackendError within timeoutMs, one write per hit when the store returns
 * versions, conflicts past maxRetries a BackendError, close once.
 */
import { describe, expect, it } from 'vitest';
import {
  BackendError, ConfigurationError, FixedWindowStrategy, Rate, Throttle, casBackend,
  type ApplyRequest, type CasStore,
} from '../../src/index.js';
import { scopeKey, stateSuffix } from '../../src/extend.js';
import { ManualClock } from '../../src/testing/index.js';
import { MapStore } from './map-store.js';

const strategy = new FixedWindowStrategy();
const rates = [Rate.parse('5/minute')];
function request(identity: string, cost = 1): ApplyRequest {
  const scope = scopeKey('cas', identity);
  return { strategy, scope, keys: rates.map((r) => scope + stateSuffix(strategy.name, r)), rates, cost };
}

describe('casBackend configuration', () => {
  const store = new MapStore();
  const cases: [string, unknown][] = [
    ['an unknown option', { timeout: 5 }],
    ['timeoutMs 0', { timeoutMs: 0 }],
    ['maxRetries -1', { maxRetries: -1 }],
    ['a namespace with a space', { namespace: 'my app' }],
    ['a clock that is not a function', { clock: 5 }],
    ['onError "ignore"', { onError: 'ignore' }],
    ['rememberDenials "no"', { rememberDenials: 'no' }],
  ];
  for (const [name, options] of cases) {
    it(`refuses ${name} with a ConfigurationError`, () => {
      expect(() => casBackend(store, options as never)).toThrow(ConfigurationError);
    });
  }
  it('refuses a store without the four methods, naming what is missing', () => {
    expect(() => casBackend({ get: () => undefined } as never)).toThrow(/lacks compareAndSet, add, delete/);
    expect(() => casBackend(null as never)).toThrow(ConfigurationError);
  });
});

describe('casBackend with a failing store', () => {
  it('a store that never answers: BackendError within timeoutMs; onError decides', async () => {
    const silent: CasStore = { get: () => new Promise(() => undefined), compareAndSet: () => false, add: () => false, delete: () => undefined };
    const backend = casBackend(silent, { timeoutMs: 100 });
    const started = Date.now();
    await expect(backend.apply(request('silent'))).rejects.toThrow(/CasStore get .* no answer within 100 ms/);
    expect(Date.now() - started).toBeLessThan(400);
    const throttle = new Throttle({ uid: 'silent', rate: '5/minute', backend, onError: 'throttle' });
    const decision = await throttle.hit('k');
    expect(decision.allowed).toBe(false);
    expect(decision.error).toBeInstanceOf(BackendError);
  });

  it('a store that throws synchronously: BackendError naming the call, with the cause', async () => {
    const cause = new Error('disk on fire');
    const throwing: CasStore = { get: () => { throw cause; }, compareAndSet: () => false, add: () => false, delete: () => undefined };
    const error = await casBackend(throwing).apply(request('throw')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(String(error)).toMatch(/CasStore get ".*" failed: disk on fire/);
    expect((error as Error).cause).toBe(cause);
  });

  it('writers that always conflict: BackendError after maxRetries, never a silent allow', async () => {
    let reads = 0;
    const contested: CasStore = { get: () => (reads++, undefined), compareAndSet: () => false, add: () => false, delete: () => undefined };
    await expect(casBackend(contested, { maxRetries: 3 }).apply(request('busy'))).rejects.toThrow(/still changing after 3 retries; hit not applied/);
    expect(reads).toBe(4);
  });

  it('a value that is not Traffik state: BackendError naming the item', async () => {
    const garbage: CasStore = { get: () => ({ value: 'hello', version: '1' }), compareAndSet: () => false, add: () => false, delete: () => undefined };
    await expect(casBackend(garbage).apply(request('garbage'))).rejects.toThrow(/holds "hello", not Traffik state/);
  });
});

describe('casBackend round trips', () => {
  it('a store returning versions: one store call per allowed hit in the steady state; true only: a read and a write', async () => {
    const clock = new ManualClock();
    for (const [returnVersions, callsPerHit] of [[true, 1], [false, 2]] as const) {
      const store = new MapStore({ returnVersions });
      const backend = casBackend(store, { clock });
      await backend.apply(request('a'));
      const before = store.calls;
      for (let i = 0; i < 3; i++) expect((await backend.apply(request('a')))[0]!.allowed).toBe(true);
      expect(store.calls - before).toBe(3 * callsPerHit);
    }
  });

  it('hits on one key in one process share one read and one write', async () => {
    const store = new MapStore();
    const backend = casBackend(store, { clock: new ManualClock() });
    const decisions = await Promise.all(Array.from({ length: 8 }, () => backend.apply(request('together'))));
    expect(decisions.filter((d) => d[0]!.allowed)).toHaveLength(5);
    expect(store.calls).toBe(2);
  });

  it('close calls the store close once and later hits reject', async () => {
    let closed = 0;
    const store = Object.assign(new MapStore(), { close: () => void closed++ });
    const backend = casBackend(store);
    await backend.close();
    await backend.close();
    expect(closed).toBe(1);
    await expect(backend.apply(request('late'))).rejects.toThrow(/casBackend is closed/);
  });
});
