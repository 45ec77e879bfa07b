import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemoryBackend } from '../../../src/core/backends/in-memory.js';
import { ConfigurationError } from '../../../src/core/errors.js';
import { AdaptiveStrategy, type AdaptiveState } from '../../../src/core/strategies/adaptive.js';
import { Throttle } from '../../../src/core/throttle.js';
import { brief, stepper } from './trace.js';

describe('AdaptiveStrategy', () => {
  it('shrinks by the reduction factor after a busy window and recovers additively (hand-computed trace)', () => {
    // L = 10 per 1000 ms; threshold 0.8, reduction 0.6, recovery 1 unit per window, floor 3.
    const s = stepper(new AdaptiveStrategy(), '10/s');
    for (let i = 0; i < 10; i++) expect(s.hit(0).allowed).toBe(true);
    // Denied: the next window's limit will be floor(10 * 0.6) = 6 (usage 100% > 80%), so retry then;
    // back to 10 after 4 more windows of recovery.
    expect(s.hit(0)).toMatchObject({ allowed: false, limit: 10, remaining: 0, retryAfterMs: 1000, resetAfterMs: 5000 });
    for (let i = 0; i < 6; i++) expect(s.hit(1000).allowed).toBe(true);
    expect(s.hit(1000)).toMatchObject({ allowed: false, limit: 6, retryAfterMs: 1000 });
    // floor(6 * 0.6) = 3 (the floor of 3 units).
    expect(s.hit(2000)).toMatchObject({ allowed: true, limit: 3, remaining: 2 });
    expect(s.hit(2000).allowed).toBe(true);
    // 2 of 3 used (67% <= 80%): not busy, so the next window recovers to 4; two idle windows after it add 2.
    expect(s.hit(5500)).toMatchObject({ allowed: true, limit: 6, remaining: 5 });
    // A cost above the current limit waits for the recovery: next window 7, one more window to 8.
    expect(brief(s.hit(5500, 8))).toEqual([false, 5, 500 + 1000]);
    expect(s.hit(5500, 11).retryAfterMs).toBe(Infinity);
    expect((s.state as AdaptiveState).eff).toBe(6);
  });

  it('follows a user load signal instead of the usage', () => {
    const strategy = new AdaptiveStrategy({ signal: (_key, ctx) => (ctx as { lag: number }).lag, signalThreshold: 100 });
    const s = stepper(strategy, '10/s');
    const load = (lag: number) => strategy.argsFor!('k', { lag });
    expect(load(150.7)).toEqual([150]);
    expect(s.hit(0, 1, load(500))).toMatchObject({ allowed: true, limit: 10 }); // first window: nothing to adjust
    expect(s.hit(1000, 1, load(150))).toMatchObject({ limit: 6 });
    expect(s.hit(2000, 1, load(150))).toMatchObject({ limit: 3 });
    expect(s.hit(3000, 1, load(150))).toMatchObject({ limit: 3 });
    expect(s.hit(4000, 1, load(100))).toMatchObject({ limit: 4 });
    // A calm signal lets a denied hit count on the recovery.
    expect(s.hit(4000, 6, load(0))).toMatchObject({ allowed: false, retryAfterMs: 1000 + 1000 });
  });

  it('keeps the limit within [floor, L] and admits at most the limit per window (property)', () => {
    const strategy = new AdaptiveStrategy({ reductionFactor: 0.5, recoveryRate: 0.25, minLimitRatio: 0.25, loadThreshold: 0.5 });
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 900 }), fc.integer({ min: 0, max: 9 })), { maxLength: 100 }), (hits) => {
      const s = stepper(strategy, '8/s');
      let t = 0;
      const admitted = new Map<number, number>();
      for (const [dt, cost] of hits) {
        t += dt;
        const d = s.hit(t, cost);
        expect(d.limit).toBeGreaterThanOrEqual(2);
        expect(d.limit).toBeLessThanOrEqual(8);
        if (d.allowed) admitted.set(Math.floor(t / 1000), (admitted.get(Math.floor(t / 1000)) ?? 0) + cost);
        expect(admitted.get(Math.floor(t / 1000)) ?? 0).toBeLessThanOrEqual(d.limit);
        if (!d.allowed && d.retryAfterMs !== Infinity) {
          // The promised wait is honest: nothing else arrives, the same hit passes then and not 1 ms before.
          expect(strategy.step(s.state as never, t + d.retryAfterMs, cost, s.rate).decision.allowed).toBe(true);
          expect(strategy.step(s.state as never, t + d.retryAfterMs - 1, cost, s.rate).decision.allowed).toBe(false);
        }
      }
    }));
  });

  it('takes per-hit args only with a user signal', () => {
    expect(new AdaptiveStrategy().argsFor).toBeUndefined();
    expect(new AdaptiveStrategy({ signal: () => 7.9, signalThreshold: 5 }).argsFor?.('k', undefined)).toEqual([7]);
  });

  it('rejects bad options and garbage state', async () => {
    expect(() => new AdaptiveStrategy({ reductionFactor: 1 })).toThrow(ConfigurationError);
    expect(() => new AdaptiveStrategy({ loadThreshold: 0 })).toThrow(/loadThreshold/);
    expect(() => new AdaptiveStrategy({ signal: () => 1 })).toThrow(/go together/);
    expect(() => new AdaptiveStrategy({ signalThreshold: 5 })).toThrow(/go together/);
    const strategy = new AdaptiveStrategy({ signal: () => NaN, signalThreshold: 5 });
    const throttle = new Throttle({ uid: 'a', rate: '5/s', strategy, backend: new InMemoryBackend() });
    await expect(throttle.hit('k')).rejects.toThrow(/finite number/);
    for (const bad of ['', '1,2', '1,-1,3', '1,2,0', 'x']) expect(() => strategy.parse(bad)).toThrow(TypeError);
  });
});
