/** Per-call options are checked like constructor options (19.8); user functions are bounded in time (19.7). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError, EXEMPTED, FunctionTimeoutError, InMemoryBackend, Throttle } from '../../src/index.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('per-call options', () => {
  const throttle = new Throttle({ uid: 'calls', rate: '100/minute', backend: new InMemoryBackend() });

  it('hit(key, { costs: 100 }) rejects naming costs, and charges nothing', async () => {
    await expect(throttle.hit('k', { costs: 100 } as never)).rejects.toThrow(ConfigurationError);
    await expect(throttle.hit('k', { costs: 100 } as never)).rejects.toThrow(/hit: unknown option "costs" \(known: cost, context\)/);
    expect((await throttle.hit('k')).remaining).toBe(99);
  });

  it('every method checks its own names', async () => {
    const bad = { bogus: 1 } as never;
    await expect(throttle.peek('k', bad)).rejects.toThrow(/peek: unknown option "bogus"/);
    await expect(throttle.enforce('k', bad)).rejects.toThrow(/hit: unknown option "bogus"/);
    await expect(throttle.hitMany('k', [1], { cost: 1 } as never)).rejects.toThrow(/hitMany: unknown option "cost" \(known: context\)/);
    await expect(throttle.acquire('k', bad)).rejects.toThrow(/acquire: unknown option "bogus"/);
    await expect(throttle.refund('k', 1, bad)).rejects.toThrow(/refund: unknown option "bogus"/);
    await expect(throttle.charge('k', 1, bad)).rejects.toThrow(/charge: unknown option "bogus"/);
    await expect(throttle.wait('k', bad)).rejects.toThrow(/wait: unknown option "bogus"/);
    await expect(throttle.reset('k', bad)).rejects.toThrow(/reset: unknown option "bogus"/);
    await expect(throttle.stats('k', bad)).rejects.toThrow(/stats: unknown option "bogus"/);
    await expect(throttle.hit(EXEMPTED, bad)).rejects.toThrow(/unknown option/);
    await expect(throttle.hit('k', 5 as never)).rejects.toThrow(/hit options must be an object, got 5/);
  });

  it('the known names still work on the in-process fast path', async () => {
    expect(await throttle.hit('fast', { cost: 3, context: { any: 1 } })).toMatchObject({ allowed: true, remaining: 97 });
  });
});

describe('functionTimeoutMs', () => {
  it('a cost function that never settles rejects with FunctionTimeoutError naming it', async () => {
    vi.useFakeTimers();
    const throttle = new Throttle({ uid: 'export', rate: '10/minute', cost: () => new Promise<number>(() => undefined), functionTimeoutMs: 250 });
    const pending = throttle.hit('k').catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(250);
    const error = await pending;
    expect(error).toBeInstanceOf(FunctionTimeoutError);
    expect((error as Error).message).toMatch(/Throttle "export": cost function did not settle within 250 ms/);
  });

  it('a rate function that never settles rejects the same way (default 5000 ms)', async () => {
    vi.useFakeTimers();
    const throttle = new Throttle({ uid: 'tiers', rate: () => new Promise<string>(() => undefined) });
    const pending = throttle.hit('k').catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(4_999);
    let settled = false;
    void pending.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await pending).toMatchObject({ name: 'FunctionTimeoutError', message: expect.stringMatching(/Throttle "tiers": rate function did not settle within 5000 ms/) });
  });

  it('functions that settle in time, sync or async, are used as before; a bad functionTimeoutMs is refused', async () => {
    const throttle = new Throttle({ uid: 'ok', rate: async () => '10/minute', cost: async () => 2, backend: new InMemoryBackend() });
    expect((await throttle.hit('k')).remaining).toBe(8);
    expect(() => new Throttle({ uid: 'x', rate: '1/s', functionTimeoutMs: 0 })).toThrow(/functionTimeoutMs must be a whole number between 1/);
  });
});
