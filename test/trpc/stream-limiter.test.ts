import { describe, expect, it } from 'vitest';
import { InMemoryBackend, RateLimitExceededError, Throttle } from '../../src/index.js';
import type { Decision } from '../../src/core/decision.js';
import { limitStream, type OnExceed } from '../../src/core/stream-limiter.js';
import { manualClock } from './servers.js';

describe('limitStream (the one stream limiter of tRPC and graphql-ws subscriptions)', () => {
  const setup = () => {
    const clock = manualClock();
    const throttle = new Throttle({ uid: 'events', rate: '2/50ms', backend: new InMemoryBackend({ clock: clock.now }) });
    return { clock, check: () => throttle.hit('k') };
  };
  const limited = (source: AsyncIterable<number>, admit: () => Promise<Decision>, onExceed: OnExceed, signal?: AbortSignal) =>
    limitStream(source, { admit, onExceed, limitedError: (d) => new RateLimitExceededError(d, 'events over the limit'), ...(signal ? { signal } : {}) });
  async function* values(list: number[], closed: { count: number }): AsyncGenerator<number> {
    try {
      for (const v of list) yield v;
    } finally {
      closed.count++;
    }
  }
  const drain = async (iterable: AsyncIterable<number>): Promise<number[]> => {
    const out: number[] = [];
    for await (const v of iterable) out.push(v);
    return out;
  };

  it("'latest' delivers the last held-back event after the source ends, once the limit allows", async () => {
    const { clock, check } = setup();
    const closed = { count: 0 };
    const done = drain(limited(values([1, 2, 3, 4, 5], closed), check, 'latest'));
    setTimeout(() => clock.advance(50), 10); // the next window opens while 5 waits
    expect(await done).toEqual([1, 2, 5]);
    expect(closed.count).toBe(1);
  });

  it("'latest' delivers every event within the rate even when they arrive in one burst, and coalesces only the excess", async () => {
    const clock = manualClock();
    const throttle = new Throttle({ uid: 'burst', rate: '3/minute', backend: new InMemoryBackend({ clock: clock.now }) });
    const closed = { count: 0 };
    // Timers driven by the test: the held-back event's wait passes when the clock does.
    const waits: { callback: () => void; ms: number }[] = [];
    const timers = { setTimeout: (callback: () => void, ms: number) => waits.push({ callback, ms }), clearTimeout: () => undefined };
    const done = drain(limitStream(values([1, 2, 3, 4, 5, 6], closed), {
      admit: () => throttle.hit('k'), onExceed: 'latest', limitedError: (d) => new RateLimitExceededError(d), timers,
    }));
    // The source ends at once; then the held-back 6 waits (the last wait set) for the next window.
    while (closed.count === 0 || waits.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const wait = waits[waits.length - 1]!;
    expect(wait.ms).toBe(60_000 - (clock.now() % 60_000));
    clock.advance(wait.ms);
    wait.callback();
    expect(await done).toEqual([1, 2, 3, 6]);
  });

  it("'drop' skips; 'complete' delivers what was allowed, then ends with the limited error and closes the source", async () => {
    const { check } = setup();
    const closed = { count: 0 };
    expect(await drain(limited(values([1, 2, 3, 4], closed), check, 'drop'))).toEqual([1, 2]);
    const second = setup();
    const seen: number[] = [];
    const ended = await (async () => { for await (const v of limited(values([1, 2, 3, 4], closed), second.check, 'complete')) seen.push(v); })().catch((e: unknown) => e);
    expect(seen).toEqual([1, 2]);
    expect(ended).toBeInstanceOf(RateLimitExceededError);
    expect((ended as RateLimitExceededError).decision.allowed).toBe(false);
    expect(closed.count).toBe(2);
  });

  it('an abort ends the events and closes a source that is waiting at a yield', async () => {
    const { check } = setup();
    const closed = { count: 0 };
    const abort = new AbortController();
    const iterator = limited(values([1, 2, 3], closed), check, 'drop', abort.signal)[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe(1);
    abort.abort();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    await new Promise((r) => setTimeout(r, 0));
    expect(closed.count).toBe(1);
  });
});
