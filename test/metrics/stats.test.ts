import { describe, expect, it } from 'vitest';
import {
  EXEMPTED, FixedWindowStrategy, GCRAStrategy, InMemoryBackend, LeakyBucketStrategy, LeakyBucketWithQueueStrategy,
  SlidingWindowCounterStrategy, SlidingWindowLogStrategy, Throttle, TokenBucketStrategy, TokenBucketWithDebtStrategy,
  type AnyStrategy,
} from '../../src/index.js';
import { SwitchableBackend } from '../resilience/switchable-backend.js';

function clocked(strategy: AnyStrategy, rate = '10/10s') {
  const clock = { now: 1_000_000 }; // a multiple of 10 s: windows start here
  const backend = new InMemoryBackend({ clock: () => clock.now });
  const throttle = new Throttle({ uid: 's', rate, strategy, backend });
  return { clock, throttle };
}

describe('Throttle.stats', () => {
  it('fixed window: the count, what is left and when the window ends, plus the decision a hit would get (nothing consumed)', async () => {
    const { clock, throttle } = clocked(new FixedWindowStrategy());
    await throttle.hit('k', { cost: 3 });
    clock.now += 4000;
    const stats = await throttle.stats('k');
    expect(stats.rates[0]!.state).toEqual({
      summary: '3 of 10 used in this window (7 left); the window ends in 6000 ms',
      values: { count: 3, limit: 10, remaining: 7, windowEndsInMs: 6000 },
    });
    expect(stats.decision).toMatchObject({ allowed: true, remaining: 6 });
    expect((await throttle.stats('k')).rates[0]!.state!.values.count).toBe(3); // the peek consumed nothing
  });

  it('a fresh key is described too', async () => {
    const { throttle } = clocked(new TokenBucketStrategy({ burstSize: 5 }));
    expect((await throttle.stats('new')).rates[0]!.state).toEqual({ summary: '5 of 5 tokens; full in 0 ms', values: { tokens: 5, burst: 5, maxDebt: 0, fullInMs: 0 } });
  });

  it('describes each built-in strategy in its own words, at the backend clock', async () => {
    const cases: [AnyStrategy, Record<string, number>][] = [
      [new SlidingWindowCounterStrategy(), { previous: 0, current: 4, estimate: 4 }],
      [new SlidingWindowLogStrategy(), { used: 4, entries: 1, oldestLeavesInMs: 9000 }],
      [new TokenBucketStrategy(), { tokens: 7, burst: 10, fullInMs: 3000 }], // 4 taken, 1 s refilled 1
      [new TokenBucketWithDebtStrategy({ burstSize: 2, maxDebt: 3 }), { tokens: -1, burst: 2, maxDebt: 3, fullInMs: 3000 }],
      [new LeakyBucketStrategy(), { level: 3, capacity: 10, emptyInMs: 3000 }],
      [new LeakyBucketWithQueueStrategy({ queueSize: 8 }), { queued: 3, queueSize: 8, waitMs: 3000 }],
      [new GCRAStrategy({ burstToleranceMs: 5000 }), { tatInMs: 3000, toleranceMs: 5000, nextAllowedInMs: 0 }],
    ];
    for (const [strategy, expected] of cases) {
      const { clock, throttle } = clocked(strategy);
      await throttle.hit('k', { cost: 4 });
      clock.now += 1000;
      const state = (await throttle.stats('k')).rates[0]!.state!;
      expect(state.values, strategy.name).toMatchObject(expected);
      expect(state.summary.length, strategy.name).toBeGreaterThan(10);
    }
  });

  it('lists every rate of a multi-rate throttle; EXEMPTED has none', async () => {
    const backend = new InMemoryBackend();
    const throttle = new Throttle({ uid: 'm', rate: ['2/second', '100/hour'], backend });
    await throttle.hit('k');
    const stats = await throttle.stats('k');
    expect(stats.rates.map((r) => [r.rate.limit, r.state!.values.count])).toEqual([[2, 1], [100, 1]]);
    expect((await throttle.stats(EXEMPTED)).rates).toEqual([]);
  });

  it('a backend that cannot read gives the peek only; a failed read is reported, not thrown', async () => {
    const inner = new InMemoryBackend();
    const withoutRead = new Throttle({
      uid: 'n', rate: '5/minute',
      backend: { namespace: 'n', apply: (r) => inner.apply(r), applyBatch: (r) => inner.applyBatch(r), reset: (s, k) => inner.reset(s, k), close: () => inner.close() },
    });
    await withoutRead.hit('k');
    const peekOnly = await withoutRead.stats('k');
    expect(peekOnly.decision).toMatchObject({ allowed: true, remaining: 3 }); // a hit now would leave 3
    expect(peekOnly.rates[0]!.state).toBeUndefined();
    const backend = new SwitchableBackend();
    const throttle = new Throttle({ uid: 'r', rate: '5/minute', backend, onError: 'allow' });
    await throttle.hit('k');
    backend.mode = 'down';
    const stats = await throttle.stats('k');
    expect(stats.decision.allowed).toBe(true); // onError 'allow' on the peek
    expect(stats.rates[0]!.state).toBeUndefined();
    expect(stats.error).toBeDefined();
  });
});
