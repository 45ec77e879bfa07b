import { describe, expect, it } from 'vitest';
import {
  ConfigurationError, GCRAStrategy, InMemoryBackend, Throttle, TokenBucketStrategy, type Backend, type DecisionEvent,
} from '../../src/index.js';

function clocked() {
  const clock = { now: 1_000_000 };
  return { clock, backend: new InMemoryBackend({ clock: () => clock.now }) };
}

describe("Throttle mode: 'shadow'", () => {
  it('a burst over the limit all succeeds; denials carry shadowDenied and the real numbers; onDecision sees them as denials', async () => {
    const { backend } = clocked();
    const events: Pick<DecisionEvent, 'outcome'>[] = [];
    const shadow = new Throttle({ uid: 'new-limit', rate: '3/minute', backend, mode: 'shadow', onDecision: (e) => void events.push({ outcome: e.outcome }) });
    const enforce = new Throttle({ uid: 'new-limit', rate: '3/minute', backend: new InMemoryBackend({ clock: () => 1_000_000 }) });
    const decisions = [];
    for (let i = 0; i < 5; i++) decisions.push(await shadow.hit('alice'));
    const real = [];
    for (let i = 0; i < 5; i++) real.push(await enforce.hit('alice'));
    expect(decisions.every((d) => d.allowed)).toBe(true);
    expect(decisions.map((d) => d.shadowDenied)).toEqual([undefined, undefined, undefined, true, true]);
    // The real numbers: what enforce mode says, except `allowed`.
    for (let i = 0; i < 5; i++) {
      expect({ ...decisions[i], allowed: real[i]!.allowed, shadowDenied: undefined }).toEqual({ ...real[i], shadowDenied: undefined });
    }
    expect(decisions[3]!.retryAfterMs).toBeGreaterThan(0);
    expect(decisions[3]!.remaining).toBe(0);
    expect(events.map((e) => e.outcome)).toEqual(['allowed', 'allowed', 'allowed', 'denied', 'denied']);
  });

  it('a shadow denial stores nothing, as a denial does: the next window admits as it would', async () => {
    const { clock, backend } = clocked();
    const shadow = new Throttle({ uid: 's', rate: '2/second', strategy: new GCRAStrategy(), backend, mode: 'shadow' });
    await shadow.hit('k');
    const second = await shadow.hit('k');
    expect(second).toMatchObject({ allowed: true, shadowDenied: true });
    clock.now += second.retryAfterMs;
    const third = await shadow.hit('k');
    expect(third.shadowDenied).toBeUndefined();
  });

  it('enforce never throws in shadow mode; multi-rate policies are kept; the general path (several rates) is shadowed too', async () => {
    const { backend } = clocked();
    const shadow = new Throttle({ uid: 'm', rate: ['2/second', '100/hour'], strategy: new TokenBucketStrategy(), backend, mode: 'shadow' });
    for (let i = 0; i < 4; i++) await expect(shadow.enforce('k')).resolves.toMatchObject({ allowed: true });
    const d = await shadow.hit('k');
    expect(d.shadowDenied).toBe(true);
    expect(d.policies).toHaveLength(2);
    expect(d.policies![0]!.allowed).toBe(false);
  });

  it('a store failure under onError throttle is allowed in shadow mode, marked, and keeps its error', async () => {
    const dead: Backend = {
      namespace: 'dead', apply: () => Promise.reject(new Error('down')), applyBatch: () => Promise.reject(new Error('down')),
      reset: () => Promise.resolve(), close: () => Promise.resolve(),
    };
    const shadow = new Throttle({ uid: 'd', rate: '2/second', backend: dead, mode: 'shadow', logger: false });
    const d = await shadow.hit('k');
    expect(d).toMatchObject({ allowed: true, shadowDenied: true, retryAfterMs: 1000 });
    expect(d.error).toBeInstanceOf(Error);
  });

  it('wait returns at once in shadow mode', async () => {
    const { backend } = clocked();
    const shadow = new Throttle({ uid: 'w', rate: '1/hour', backend, mode: 'shadow' });
    await shadow.hit('k');
    const started = performance.now();
    expect(await shadow.wait('k', { maxWaitMs: 10 })).toMatchObject({ allowed: true, shadowDenied: true });
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('refuses an unknown mode, naming it', () => {
    expect(() => new Throttle({ uid: 'x', rate: '1/s', mode: 'dry-run' as never })).toThrow(ConfigurationError);
    expect(() => new Throttle({ uid: 'x', rate: '1/s', mode: 'dry-run' as never })).toThrow(/mode must be 'enforce' or 'shadow', got "dry-run"/);
  });
});
