import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/core/errors.js';
import { QuotaWithRolloverStrategy } from '../../../src/core/strategies/quota-with-rollover.js';
import { stepper } from './trace.js';

describe('QuotaWithRolloverStrategy', () => {
  it('carries unused quota into the next period only, capped (hand-computed trace)', () => {
    const s = stepper(new QuotaWithRolloverStrategy(), '10/s');
    expect(s.hit(0, 4)).toMatchObject({ allowed: true, limit: 10, remaining: 6, resetAfterMs: 2000 });
    // Period 1 starts with the 6 units period 0 left.
    expect(s.hit(1000, 16)).toMatchObject({ allowed: true, limit: 16, remaining: 0, resetAfterMs: 1000 });
    expect(s.hit(1500, 1)).toMatchObject({ allowed: false, retryAfterMs: 500 });
    // Period 2: period 1 used more than L, nothing carries.
    expect(s.hit(2000, 1)).toMatchObject({ allowed: true, limit: 10, remaining: 9, resetAfterMs: 2000 });
    // Period 3: 9 carried.
    expect(s.hit(3500, 19)).toMatchObject({ allowed: true, limit: 19, remaining: 0 });
    // Period 5 follows an idle period 4: back to L, so 11 is more than any period will allow now.
    expect(s.hit(5000, 11)).toMatchObject({ allowed: false, limit: 10, retryAfterMs: Infinity, resetAfterMs: 0 });
    // A hit needing the carry waits for the next period when this one will leave enough.
    expect(s.hit(5000, 3).allowed).toBe(true);
    expect(s.hit(5000, 16)).toMatchObject({ allowed: false, remaining: 7, retryAfterMs: 1000 });
    expect(s.hit(5000, 18).retryAfterMs).toBe(Infinity);
  });

  it('rolls over only a share, up to maxRollover', () => {
    const s = stepper(new QuotaWithRolloverStrategy({ rolloverShare: 0.5, maxRollover: 3 }), '10/m');
    s.hit(0, 4); // leaves 6: half is 3
    expect(s.hit(60_000, 0)).toMatchObject({ limit: 13 });
    const t = stepper(new QuotaWithRolloverStrategy({ rolloverShare: 0.5, maxRollover: 3 }), '10/m');
    t.hit(0, 7); // leaves 3: half is 1
    expect(t.hit(60_000, 0)).toMatchObject({ limit: 11 });
  });

  it('rejects bad options and garbage state', () => {
    expect(() => new QuotaWithRolloverStrategy({ rolloverShare: 1.5 })).toThrow(ConfigurationError);
    expect(() => new QuotaWithRolloverStrategy({ maxRollover: -1 })).toThrow(/maxRollover/);
    const s = new QuotaWithRolloverStrategy();
    for (const bad of ['', '1,2', '1,-1,0', '1,1,-2', '1,2,3,4']) expect(() => s.parse(bad)).toThrow(TypeError);
  });
});
