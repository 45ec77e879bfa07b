import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/core/errors.js';
import { CostBasedTokenBucketStrategy } from '../../../src/core/strategies/cost-based-token-bucket.js';
import { TokenBucketStrategy } from '../../../src/core/strategies/token-bucket.js';
import { Throttle } from '../../../src/core/throttle.js';
import { stepper } from './trace.js';

describe('CostBasedTokenBucketStrategy', () => {
  it('refills more slowly while recent hits are expensive (hand-computed trace)', () => {
    // B = L = 10 per 1000 ms; average over N = 2; refill never below 0.1.
    const s = stepper(new CostBasedTokenBucketStrategy({ costWindow: 2, minRefill: 0.1 }), '10/s');
    expect(s.hit(0, 1)).toMatchObject({ allowed: true, remaining: 9, resetAfterMs: 100 });
    // avg = (1000 + 5000) / 2 = 3000: refill at floor(1e6 / 3000) = 333 thousandths: 3.33 units per ms scaled.
    expect(s.hit(0, 5)).toMatchObject({ allowed: true, remaining: 4, resetAfterMs: 1802 });
    // 1 unit (1000 scaled) must drain at 3330 per 1000 ms: 301 ms (a plain token bucket: 100 ms).
    expect(s.hit(0, 5)).toMatchObject({ allowed: false, remaining: 4, retryAfterMs: 301 });
    expect(s.hit(300, 5).allowed).toBe(false);
    // At 301 ms: 1002 drained, backlog 9998. avg becomes 4000: refill 250 thousandths (2500 per ms scaled).
    expect(s.hit(301, 5)).toMatchObject({ allowed: true, remaining: 0, resetAfterMs: 4000 });
    const strategy = new CostBasedTokenBucketStrategy({ costWindow: 2, minRefill: 0.1 });
    expect(strategy.step(s.state as never, 4300, 10, s.rate).decision).toMatchObject({ allowed: false, retryAfterMs: 1 });
    // Once full again the average is forgotten: a cost-1 hit is a fresh key's.
    expect(s.hit(4301, 1)).toMatchObject({ allowed: true, remaining: 9, resetAfterMs: 100 });
    expect(s.state).toEqual({ y: 1000, last: 4301, avg: 1000 });
  });

  it('is a plain token bucket while every hit costs 1', () => {
    const a = stepper(new CostBasedTokenBucketStrategy({ burstSize: 5 }), '10/s');
    const b = stepper(new TokenBucketStrategy({ burstSize: 5 }), '10/s');
    for (const t of [0, 0, 0, 0, 0, 0, 10, 90, 100, 250, 250, 250, 1000, 1000]) expect(a.hit(t, 1)).toEqual(b.hit(t, 1));
  });

  it('slows an expensive caller below a cheap one through a throttle', async () => {
    let now = 0;
    const { InMemoryBackend } = await import('../../../src/core/backends/in-memory.js');
    const throttle = new Throttle({ uid: 'c', rate: '100/s', strategy: new CostBasedTokenBucketStrategy(), backend: new InMemoryBackend({ clock: () => now }) });
    let cheap = 0;
    let costly = 0;
    for (let ms = 0; ms < 5000; ms += 10) {
      now = ms;
      if ((await throttle.hit('cheap', { cost: 1 })).allowed) cheap += 1;
      if ((await throttle.hit('costly', { cost: 10 })).allowed) costly += 10;
    }
    // The cheap caller gets the full 100/s; the costly one, after its burst of 100, refills at the
    // 0.5 floor: about 100 + 5 s x 50/s = 350 units (a plain token bucket would give it 590).
    expect(cheap).toBe(500);
    expect(costly).toBeGreaterThanOrEqual(330);
    expect(costly).toBeLessThanOrEqual(350);
  });

  it('rejects bad options and garbage state', () => {
    expect(() => new CostBasedTokenBucketStrategy({ costWindow: 0 })).toThrow(ConfigurationError);
    expect(() => new CostBasedTokenBucketStrategy({ minRefill: 0 })).toThrow(/minRefill/);
    const s = new CostBasedTokenBucketStrategy();
    for (const bad of ['', '1,2', '-1,0,1000', '1,2,999', 'a,b,c']) expect(() => s.parse(bad)).toThrow(TypeError);
    expect(() => new Throttle({ uid: 'x', rate: '1000000/d', strategy: s })).toThrow(/too large/);
  });
});
