import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigurationError, EXEMPTED, FixedWindowStrategy, GCRAStrategy, InMemoryBackend, Throttle, WaitTimeoutError, type Backend, type Decision,
} from '../../src/index.js';

/** 5/second with no burst: one admission every 200 ms. */
function paced(backend: Backend = new InMemoryBackend({ clock: () => Date.now() })) {
  return new Throttle({ uid: 'jobs', rate: '5/second', strategy: new GCRAStrategy(), backend });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Throttle.wait (injected clock: fake timers)', () => {
  it('20 waiters on 5/second are admitted in call order, one every 200 ms, none early', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const throttle = paced();
    const start = Date.now();
    const admitted: { i: number; at: number }[] = [];
    const waits = Array.from({ length: 20 }, (_, i) => throttle.wait('api', { maxWaitMs: 10_000 }).then(() => void admitted.push({ i, at: Date.now() - start })));
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all(waits);
    expect(admitted.map((a) => a.i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    admitted.forEach(({ i, at }) => expect(at).toBe(i * 200));
  });

  it('an aborted waiter rejects at once with the signal reason, queued or asleep at the head; the others keep their order', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const throttle = paced();
    await throttle.hit('api');
    const order: number[] = [];
    const head = new AbortController();
    const middle = new AbortController();
    const first = throttle.wait('api', { signal: head.signal });
    const second = throttle.wait('api', { signal: middle.signal });
    const third = throttle.wait('api').then(() => void order.push(3));
    const fourth = throttle.wait('api').then(() => void order.push(4));
    await vi.advanceTimersByTimeAsync(50);
    middle.abort(new Error('user left'));
    head.abort();
    await expect(second).rejects.toThrow('user left');
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - 1_000_000).toBe(50);
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all([third, fourth]);
    expect(order).toEqual([3, 4]);
    // Nothing was consumed by the aborted waiters: the third was admitted at the first free slot (200 ms).
  });

  it('an already aborted signal rejects before any hit', async () => {
    const backend = new InMemoryBackend();
    const throttle = new Throttle({ uid: 'a', rate: '1/hour', backend });
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(throttle.wait('k', { signal: controller.signal })).rejects.toThrow('gone');
    expect((await throttle.hit('k')).allowed).toBe(true);
  });

  it('fails fast with WaitTimeoutError when the retry time is past maxWaitMs, or Infinity', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const throttle = new Throttle({ uid: 'f', rate: '2/minute', strategy: new FixedWindowStrategy(), backend: new InMemoryBackend({ clock: () => Date.now() }) });
    await throttle.hit('k', { cost: 2 });
    const error = await throttle.wait('k', { maxWaitMs: 1_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).message).toMatch(/past maxWaitMs \(1000 ms\)/);
    expect((error as WaitTimeoutError).decision?.allowed).toBe(false);
    expect(Date.now()).toBe(1_000_000);
    await expect(throttle.wait('other', { cost: 3 })).rejects.toThrow(/can never be admitted/);
  });

  it('a waiter queued behind others gives up at its own deadline', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const throttle = paced();
    await throttle.hit('api');
    const ahead = [throttle.wait('api'), throttle.wait('api'), throttle.wait('api')];
    const impatient = throttle.wait('api', { maxWaitMs: 300 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(300);
    expect(await impatient).toBeInstanceOf(WaitTimeoutError);
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await Promise.all(ahead)).every((d: Decision) => d.allowed)).toBe(true);
  });

  it('rejects as hit does (onError raise), checks its options, and returns at once for EXEMPTED', async () => {
    const dead: Backend = {
      namespace: 'dead', apply: () => Promise.reject(new Error('down')), applyBatch: () => Promise.reject(new Error('down')),
      reset: () => Promise.resolve(), close: () => Promise.resolve(),
    };
    const throttle = new Throttle({ uid: 'r', rate: '1/s', backend: dead, onError: 'raise', logger: false });
    await expect(throttle.wait('k')).rejects.toThrow(/down/);
    expect(await throttle.wait(EXEMPTED)).toMatchObject({ exempt: true });
    await expect(throttle.wait('k', { maxWait: 5 } as never)).rejects.toThrow(/wait: unknown option "maxWait"/);
    await expect(throttle.wait('k', { maxWaitMs: -1 })).rejects.toThrow(ConfigurationError);
    await expect(throttle.wait('k', { signal: 'stop' as never })).rejects.toThrow(/signal must be an AbortSignal/);
  });
});

describe('Throttle.wait (real time)', () => {
  it('20 concurrent waiters on 5/second finish in about 4 s, in admission order, none early', async () => {
    const throttle = paced(new InMemoryBackend());
    const start = performance.now();
    const admitted: { i: number; at: number }[] = [];
    await Promise.all(Array.from({ length: 20 }, (_, i) => throttle.wait('api').then(() => void admitted.push({ i, at: performance.now() - start }))));
    const total = performance.now() - start;
    expect(admitted.map((a) => a.i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // GCRA admits one per 200 ms: the 20th at 3.8 s. Whole-ms clocks allow 1 ms of rounding.
    admitted.forEach(({ i, at }) => expect(at).toBeGreaterThanOrEqual(i * 200 - 1));
    expect(total).toBeGreaterThanOrEqual(3_799);
    expect(total).toBeLessThan(4_600);
  }, 10_000);
});
