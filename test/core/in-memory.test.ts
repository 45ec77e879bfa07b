import { describe, expect, it } from 'vitest';
import { BackendConnectionError, ConfigurationError, InMemoryBackend, Throttle, TokenBucketStrategy } from '../../src/index.js';

describe('InMemoryBackend', () => {
  it('drops a key once its state has expired, without any timer', async () => {
    let now = 0;
    const backend = new InMemoryBackend({ clock: () => now });
    const throttle = new Throttle({ uid: 't', rate: '1/s', backend });
    await throttle.hit('a');
    expect(backend.size).toBe(1);
    now = 1000;
    expect((await throttle.hit('a')).allowed).toBe(true);
    expect((await throttle.peek('b')).allowed).toBe(true);
    expect(backend.size).toBe(1);
  });

  it('evicts expired keys first, then the least recently used', async () => {
    let now = 0;
    const backend = new InMemoryBackend({ clock: () => now, maxKeys: 3 });
    const short = new Throttle({ uid: 's', rate: '1/s', backend });
    const long = new Throttle({ uid: 'l', rate: '1/hour', backend });
    await long.hit('old');
    await short.hit('expires');
    await long.hit('recent');
    now = 5000; // 'expires' has expired; 'old' is the least recently used live key
    await long.hit('new');
    expect(backend.size).toBe(3);
    expect((await long.hit('old')).allowed).toBe(false); // kept
    // Now full with old, recent, new (old just used): the next insert evicts 'recent'.
    await long.hit('newer');
    expect(backend.size).toBe(3);
    expect((await long.peek('recent')).allowed).toBe(true); // evicted: fresh again
    expect((await long.peek('old')).allowed).toBe(false);
  });

  it("a throttle's shortcut never outlives the store: evicted and reset keys start fresh", async () => {
    const backend = new InMemoryBackend({ clock: () => 0, maxKeys: 2 });
    const throttle = new Throttle({ uid: 'idx', rate: '1/hour', backend });
    expect((await throttle.hit('a')).allowed).toBe(true);
    expect((await throttle.hit('b')).allowed).toBe(true);
    expect((await throttle.hit('c')).allowed).toBe(true); // evicts 'a', the least recently used
    expect(backend.size).toBe(2);
    expect((await throttle.hit('a')).allowed).toBe(true); // fresh again, not the cached old state
    expect((await throttle.hit('a')).allowed).toBe(false);
    await throttle.reset('a');
    expect((await throttle.hit('a')).allowed).toBe(true);
  });

  it('keeps at most maxKeys entries for a million distinct keys, and reports bytes per key', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'tests run with --expose-gc (vitest.config.ts execArgv)').toBeTypeOf('function');
    gc!();
    const heapBefore = process.memoryUsage().heapUsed;
    const backend = new InMemoryBackend({ maxKeys: 100_000, clock: () => 0 });
    const throttle = new Throttle({ uid: 'mem', rate: '10/hour', backend, strategy: new TokenBucketStrategy() });
    let largest = 0;
    for (let i = 0; i < 1_000_000; i++) {
      await throttle.hit(`user:${i}`);
      if (backend.size > largest) largest = backend.size;
    }
    expect(largest).toBe(100_000);
    gc!();
    const heapAfter = process.memoryUsage().heapUsed;
    const bytesPerKey = (heapAfter - heapBefore) / backend.size;
    console.log(`in-memory backend: ${backend.size} keys, ${Math.round(bytesPerKey)} bytes per key (token bucket)`);
    expect(backend.size).toBe(100_000);
    expect(bytesPerKey).toBeLessThan(600);
  }, 120_000);

  it('close() clears state and later hits fail as a closed backend', async () => {
    const backend = new InMemoryBackend();
    const throttle = new Throttle({ uid: 'c', rate: '1/s', backend, onError: 'raise' });
    await throttle.hit('a');
    await backend.close();
    expect(backend.size).toBe(0);
    await expect(throttle.hit('a')).rejects.toThrow(BackendConnectionError);
  });

  it('rejects bad options by name', () => {
    expect(() => new InMemoryBackend({ maxKeys: 0 })).toThrow(/maxKeys .* got 0/);
    expect(() => new InMemoryBackend({ namespace: '' })).toThrow(ConfigurationError);
    expect(() => new InMemoryBackend({ clock: 5 as never })).toThrow(/clock must be a function/);
    expect(() => new InMemoryBackend({ maxkeys: 5 } as never)).toThrow(/unknown option "maxkeys"/);
  });
});
