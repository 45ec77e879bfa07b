import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemoryBackend } from '../../../src/core/backends/in-memory.js';
import { ConfigurationError } from '../../../src/core/errors.js';
import { PriorityStrategy } from '../../../src/core/strategies/priority.js';
import { Throttle } from '../../../src/core/throttle.js';
import { brief, stepper } from './trace.js';

describe('PriorityStrategy', () => {
  it('lets each level fill the one shared bucket only up to its share (hand-computed trace)', () => {
    // B = 10, P = 1000, L = 10: drains 1 unit per 100 ms. Capacities: level 0: 10, 1: 8, 2: 5.
    const s = stepper(new PriorityStrategy({ shares: [1, 0.8, 0.5] }), '10/s');
    for (let i = 0; i < 5; i++) expect(s.hit(0, 1, [2]).allowed).toBe(true);
    // Level 2 is at its 5 units: retry when one unit drains.
    expect(brief(s.hit(0, 1, [2]))).toEqual([false, 0, 100]);
    // Level 1 still has 3 units above level 2's share, level 0 two more.
    expect(brief(s.hit(0, 2, [1]))).toEqual([true, 1, 0]);
    expect(brief(s.hit(0, 1, [1]))).toEqual([true, 0, 0]);
    expect(brief(s.hit(0, 1, [1]))).toEqual([false, 0, 100]);
    expect(brief(s.hit(0, 1, [0]))).toEqual([true, 1, 0]);
    expect(s.hit(0, 1, [0])).toMatchObject({ allowed: true, remaining: 0, limit: 10, resetAfterMs: 1000 });
    expect(brief(s.hit(0, 1, [0]))).toEqual([false, 0, 100]);
    // Level 2 must wait for the backlog to drain to 4 units: 6 units = 600 ms.
    expect(brief(s.hit(0, 1, [2]))).toEqual([false, 0, 600]);
    expect(brief(s.hit(599, 1, [2]))).toEqual([false, 0, 1]);
    expect(brief(s.hit(600, 1, [2]))).toEqual([true, 0, 0]);
    // A cost above a level's capacity is never allowed at that level.
    expect(s.hit(600, 6, [2]).retryAfterMs).toBe(Infinity);
    // Backlog now 5 units: 6 more need 1 unit to drain at level 0.
    expect(s.hit(600, 6, [0]).retryAfterMs).toBe(100);
  });

  it('keeps the high-priority share under a flood of low-priority hits (through a throttle)', async () => {
    let now = 0;
    const throttle = new Throttle<{ priority: number }>({
      uid: 'shed', rate: '100/s', strategy: new PriorityStrategy({ shares: [1, 0.8] }),
      backend: new InMemoryBackend({ clock: () => now }),
    });
    for (let round = 0; round < 20; round++) {
      // 500 low-priority hits at once (5x the whole rate) ...
      let low = 0;
      for (let i = 0; i < 500; i++) if ((await throttle.hit('svc', { context: { priority: 1 } })).allowed) low++;
      // ... take at most 80% of the bucket; the critical hits right after still get the last 20 units.
      let high = 0;
      for (let i = 0; i < 50; i++) if ((await throttle.hit('svc', { context: { priority: 0 } })).allowed) high++;
      // First round: an empty bucket, 80 for the flood. Later rounds: 300 ms refilled 30 units, 10 of them below the 80% line.
      expect(low).toBe(round === 0 ? 80 : 10);
      expect(high).toBe(20);
      now += 300;
    }
  });

  it('never lets a level go past its capacity, and higher levels never get less (property)', () => {
    const strategy = new PriorityStrategy({ shares: [1, 0.75, 0.4] });
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 2 })), { maxLength: 80 }), (hits) => {
      const s = stepper(strategy, '8/s');
      let t = 0;
      for (const [dt, cost, level] of hits) {
        t += dt;
        const d = s.hit(t, cost, [level]);
        const y = (s.state as { y: number } | undefined)?.y ?? 0;
        if (d.allowed && cost > 0) expect(y).toBeLessThanOrEqual(strategy.capacityOf(level, s.rate) * 1000);
        // Whatever level 2 may take, level 0 may take too.
        const lower = strategy.step(s.state as never, t, cost, s.rate, [2]).decision;
        const upper = strategy.step(s.state as never, t, cost, s.rate, [0]).decision;
        if (lower.allowed) expect(upper.allowed).toBe(true);
        expect(upper.retryAfterMs).toBeLessThanOrEqual(lower.retryAfterMs);
      }
    }));
  });

  it('reads the level from context, checks it, and rejects bad options', async () => {
    const strategy = new PriorityStrategy();
    expect(strategy.argsFor('k', { priority: 0 })).toEqual([0]);
    expect(strategy.argsFor('k', {})).toEqual([2]);
    expect(() => strategy.argsFor('k', { priority: 3 })).toThrow(ConfigurationError);
    expect(new PriorityStrategy({ priorityOf: (key) => (key === 'admin' ? 0 : 1) }).argsFor('admin', undefined)).toEqual([0]);
    expect(() => new PriorityStrategy({ shares: [0.5, 1] })).toThrow(/larger than shares\[0\]/);
    expect(() => new PriorityStrategy({ shares: [1, 0.12345] })).toThrow(/3 decimals/);
    expect(() => new PriorityStrategy({ shares: [] })).toThrow(ConfigurationError);
    expect(() => new Throttle({ uid: 'x', rate: '2/s', strategy: new PriorityStrategy({ shares: [1, 0.1] }) })).toThrow(/less than one unit/);
    for (const bad of ['', '1', '-1,2', 'a,b', '1,2,3']) expect(() => strategy.parse(bad)).toThrow(TypeError);
    const throttle = new Throttle({ uid: 'p', rate: '10/s', strategy, backend: new InMemoryBackend() });
    await expect(throttle.hit('k', { context: { priority: 9 } })).rejects.toThrow(ConfigurationError);
  });
});
