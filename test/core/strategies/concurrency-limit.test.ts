import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemoryBackend } from '../../../src/core/backends/in-memory.js';
import { ConfigurationError } from '../../../src/core/errors.js';
import { EXEMPTED } from '../../../src/core/exempted.js';
import { Rate } from '../../../src/core/rate.js';
import { ConcurrencyLimitStrategy, type ConcurrencyLimitState } from '../../../src/core/strategies/concurrency-limit.js';
import { FixedWindowStrategy } from '../../../src/core/strategies/fixed-window.js';
import { Throttle } from '../../../src/core/throttle.js';

function setup(rate = '2/10s', leaseMs?: number) {
  let now = 1_000_000;
  const backend = new InMemoryBackend({ clock: () => now });
  const strategy = new ConcurrencyLimitStrategy(leaseMs === undefined ? {} : { leaseMs });
  const throttle = new Throttle({ uid: 'jobs', rate, strategy, backend });
  return { throttle, backend, strategy, advance: (ms: number) => { now += ms; }, now: () => now };
}

describe('ConcurrencyLimitStrategy step', () => {
  const rate = Rate.parse('3/1s');
  const s = new ConcurrencyLimitStrategy({ leaseMs: 100 });

  it('admits up to L units in flight, then tells when the first lease expires', () => {
    let state: ConcurrencyLimitState | undefined;
    const a = s.step(state, 0, 1, rate, ['acquire', 'a']);
    expect(a.decision).toMatchObject({ allowed: true, limit: 3, remaining: 2, resetAfterMs: 100 });
    state = a.state;
    const b = s.step(state, 10, 2, rate, ['acquire', 'b']);
    expect(b.decision).toMatchObject({ allowed: true, remaining: 0, resetAfterMs: 100 });
    state = b.state;
    const c = s.step(state, 20, 1, rate, ['acquire', 'c']);
    // a (1 unit) expires at 100: 80 ms from now.
    expect(c.decision).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 80, resetAfterMs: 90 });
    expect(c.state).toEqual(state);
    // 2 units need b to expire (at 110) too.
    expect(s.step(state, 20, 2, rate, ['acquire', 'c']).decision.retryAfterMs).toBe(90);
    expect(s.step(state, 20, 4, rate, ['acquire', 'c']).decision.retryAfterMs).toBe(Infinity);
    // Released b: room again, stored even though cost is 0.
    const r = s.step(state, 30, 0, rate, ['release', 'b']);
    expect(r.store).toBe(true);
    expect(r.decision).toMatchObject({ allowed: true, remaining: 2 });
    expect(s.step(r.state, 30, 2, rate, ['acquire', 'c']).decision.allowed).toBe(true);
  });

  it('treats an expired lease as free and re-acquiring an id as a renewal', () => {
    const one = s.step(undefined, 0, 3, rate, ['acquire', 'a']).state;
    expect(s.step(one, 99, 1, rate, ['acquire', 'b']).decision.allowed).toBe(false);
    expect(s.step(one, 100, 1, rate, ['acquire', 'b']).decision.allowed).toBe(true);
    const renewed = s.step(one, 50, 3, rate, ['acquire', 'a']);
    expect(renewed.decision).toMatchObject({ allowed: true, remaining: 0, resetAfterMs: 100 });
    expect(renewed.state.leases).toEqual([{ id: 'a', expiresAt: 150, units: 3 }]);
  });

  it('cost 0 and unknown releases change nothing', () => {
    const one = s.step(undefined, 0, 1, rate, ['acquire', 'a']).state;
    const zero = s.step(one, 5, 0, rate, ['acquire', 'z']);
    expect(zero.state).toEqual(one);
    expect(zero.store).toBeUndefined();
    const unknown = s.step(one, 5, 0, rate, ['release', 'nope']);
    expect(unknown.state).toEqual(one);
    expect(unknown.store).toBeUndefined();
  });

  it('never holds more than L units, whatever the sequence (property)', () => {
    const op = fc.record({
      dt: fc.integer({ min: 0, max: 60 }),
      release: fc.boolean(),
      id: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      cost: fc.integer({ min: 0, max: 4 }),
    });
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      let state: ConcurrencyLimitState | undefined;
      let now = 0;
      for (const o of ops) {
        now += o.dt;
        const out = s.step(state, now, o.release ? 0 : o.cost, rate, [o.release ? 'release' : 'acquire', o.id]);
        const held = out.state.leases.filter((l) => l.expiresAt > now).reduce((a, l) => a + l.units, 0);
        expect(held).toBeLessThanOrEqual(3);
        expect(out.decision.remaining).toBe(3 - held);
        if (out.decision.allowed && (o.release || o.cost > 0)) state = out.state;
        if (!out.decision.allowed) expect(out.state.leases).toEqual((state?.leases ?? []).filter((l) => l.expiresAt > now));
        // serialize/parse round-trips exactly.
        expect(s.parse(s.serialize(out.state))).toEqual(out.state);
      }
    }));
  });

  it('rejects garbage state and bad options', () => {
    for (const bad of ['', 'c1|x', 'c1|1,0,a', '1,2', 'c1|1,2,a b', 'c2']) expect(() => s.parse(bad)).toThrow(TypeError);
    expect(s.parse('c1')).toEqual({ leases: [] });
    expect(() => new ConcurrencyLimitStrategy({ leaseMs: 0 })).toThrow(ConfigurationError);
    expect(() => new ConcurrencyLimitStrategy({ leaseMS: 5 } as never)).toThrow(/leaseMS/);
    expect(() => s.acquireArgs('bad id')).toThrow(TypeError);
    expect(() => s.step(undefined, 0, 1, rate, ['steal', 'a'])).toThrow(/steal/);
  });
});

describe('Throttle.acquire with a concurrency limit', () => {
  it('limits the third concurrent holder and frees a slot on release', async () => {
    const { throttle } = setup('2/10s');
    const a = await throttle.acquire('u');
    const b = await throttle.acquire('u');
    const c = await throttle.acquire('u');
    expect([a.decision.allowed, b.decision.allowed, c.decision.allowed]).toEqual([true, true, false]);
    expect(c.decision.retryAfterMs).toBe(10_000);
    await a.release();
    await a.release(); // idempotent: frees one slot only
    const d = await throttle.acquire('u');
    expect(d.decision).toMatchObject({ allowed: true, remaining: 0 });
    expect((await throttle.acquire('u')).decision.allowed).toBe(false);
    await c.release(); // a denied acquire holds nothing
    expect((await throttle.acquire('u')).decision.allowed).toBe(false);
    expect((await throttle.acquire('other')).decision.allowed).toBe(true);
  });

  it('frees the slot of a holder that never released after leaseMs', async () => {
    const { throttle, advance } = setup('1/1m', 5_000);
    await throttle.acquire('u'); // never released
    advance(4_999);
    expect((await throttle.acquire('u')).decision).toMatchObject({ allowed: false, retryAfterMs: 1 });
    advance(1);
    expect((await throttle.acquire('u')).decision.allowed).toBe(true);
  });

  it('holds the cost in units and releases all of them', async () => {
    const { throttle } = setup('5/10s');
    const big = await throttle.acquire('u', { cost: 4 });
    expect(big.decision.remaining).toBe(1);
    expect((await throttle.acquire('u', { cost: 2 })).decision.allowed).toBe(false);
    await big.release();
    expect((await throttle.acquire('u', { cost: 5 })).decision.allowed).toBe(true);
  });

  it('applies acquire and release to every rate of the throttle', async () => {
    let now = 0;
    const backend = new InMemoryBackend({ clock: () => now });
    const throttle = new Throttle({ uid: 'multi', rate: ['2/10s', '3/1m'], strategy: new ConcurrencyLimitStrategy(), backend });
    const held = [await throttle.acquire('u'), await throttle.acquire('u')];
    expect((await throttle.acquire('u')).decision.allowed).toBe(false);
    await Promise.all(held.map((h) => h.release()));
    now += 1;
    expect((await throttle.acquire('u')).decision).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('never rejects a release when the backend fails; the error goes to onReleaseError', async () => {
    const { throttle, backend } = setup('2/10s');
    const seen: unknown[] = [];
    const a = await throttle.acquire('u', { onReleaseError: (error) => seen.push(error) });
    await backend.close();
    await expect(a.release()).resolves.toBeUndefined();
    expect(seen).toHaveLength(1);
    expect(String(seen[0])).toMatch(/closed/);
  });

  it('sends a failed release to a handler onError and swallows what it throws', async () => {
    const calls: unknown[] = [];
    const backend = new InMemoryBackend();
    const throttle = new Throttle({
      uid: 'h', rate: '1/1s', strategy: new ConcurrencyLimitStrategy(), backend,
      onError: (error, info) => { calls.push([error, info.request.args]); throw new Error('handler broke'); },
    });
    const a = await throttle.acquire('u');
    await backend.close();
    await expect(a.release()).resolves.toBeUndefined();
    expect(calls).toHaveLength(1);
    expect((calls[0] as [unknown, unknown[]])[1]![0]).toBe('release');
  });

  it('is hit with a no-op release for other strategies and for EXEMPTED', async () => {
    const throttle = new Throttle({ uid: 'fw', rate: '1/1m', strategy: new FixedWindowStrategy(), backend: new InMemoryBackend() });
    const a = await throttle.acquire('u');
    await a.release();
    expect((await throttle.acquire('u')).decision.allowed).toBe(false);
    const { throttle: limited } = setup('1/1m');
    const e = await limited.acquire(EXEMPTED);
    expect(e.decision.exempt).toBe(true);
    await e.release();
  });

  it('plain hit takes an anonymous slot that only expires', async () => {
    const { throttle, advance } = setup('1/1s');
    expect((await throttle.hit('u')).allowed).toBe(true);
    expect((await throttle.hit('u')).allowed).toBe(false);
    expect((await throttle.peek('u')).remaining).toBe(0);
    advance(1000);
    expect((await throttle.hit('u')).allowed).toBe(true);
  });
});
