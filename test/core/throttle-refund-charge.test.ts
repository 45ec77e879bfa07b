import { describe, expect, it } from 'vitest';
import { ConfigurationError, EXEMPTED, Throttle, type DecisionEvent } from '../../src/index.js';
import { OpCountingStrategy, OpMapBackend } from './support/op-counter.js';

function setup(rate = '5/minute') {
  const clock = { now: 60_000 };
  const backend = new OpMapBackend(() => clock.now);
  const events: DecisionEvent[] = [];
  const throttle = new Throttle({
    uid: 'login', rate, strategy: new OpCountingStrategy(), backend, onDecision: (e) => void events.push({ ...e }),
  });
  return { clock, backend, throttle, events };
}

describe('Throttle.refund and Throttle.charge', () => {
  it('refund gives units back in one backend step: the next hits are admitted again', async () => {
    const { backend, throttle } = setup();
    for (let i = 0; i < 5; i++) await throttle.hit('alice');
    expect((await throttle.hit('alice')).allowed).toBe(false);
    const calls = backend.requests.length;
    const refunded = await throttle.refund('alice', 2);
    expect(backend.requests.length).toBe(calls + 1);
    expect(backend.requests.at(-1)).toMatchObject({ op: 'refund', cost: 2 });
    expect(refunded).toMatchObject({ allowed: true, remaining: 2, retryAfterMs: 0, cost: 2, key: 'alice', uid: 'login' });
    expect((await throttle.hit('alice')).allowed).toBe(true);
    expect((await throttle.hit('alice')).allowed).toBe(true);
    expect((await throttle.hit('alice')).allowed).toBe(false);
  });

  it('refund never gives back more than the key holds', async () => {
    const { throttle } = setup();
    await throttle.hit('bob', { cost: 2 });
    expect((await throttle.refund('bob', 10)).remaining).toBe(5);
    for (let i = 0; i < 5; i++) expect((await throttle.hit('bob')).allowed).toBe(true);
    expect((await throttle.hit('bob')).allowed).toBe(false);
  });

  it('charge records units past the limit, is allowed, and later hits are denied until the window ends', async () => {
    const { clock, backend, throttle } = setup();
    const charged = await throttle.charge('carol', 12);
    expect(backend.requests.at(-1)).toMatchObject({ op: 'charge', cost: 12 });
    expect(charged).toMatchObject({ allowed: true, remaining: 0, cost: 12 });
    const denied = await throttle.hit('carol');
    expect(denied.allowed).toBe(false);
    expect(denied.retryAfterMs).toBeGreaterThan(0);
    clock.now += denied.retryAfterMs;
    expect((await throttle.hit('carol')).allowed).toBe(true);
  });

  it('EXEMPTED is a no-op that never reaches the backend; both are reported to onDecision', async () => {
    const { backend, throttle, events } = setup();
    expect(await throttle.refund(EXEMPTED, 3)).toMatchObject({ allowed: true, exempt: true, cost: 0 });
    expect(await throttle.charge(EXEMPTED, 3)).toMatchObject({ allowed: true, exempt: true });
    expect(backend.requests).toHaveLength(0);
    await throttle.charge('dave', 1);
    await throttle.refund('dave', 1);
    expect(events.map((e) => [e.key, e.outcome, e.decision?.cost])).toEqual([
      ['EXEMPTED', 'exempt', 0], ['EXEMPTED', 'exempt', 0], ['dave', 'allowed', 1], ['dave', 'allowed', 1],
    ]);
  });

  it('refuses a strategy without charge and refund support, naming it, before any backend call', async () => {
    class HitsOnly extends OpCountingStrategy {
      override readonly name = 'hits-only';
      override readonly supportsChargeAndRefund = false;
    }
    const backend = new OpMapBackend(() => 0);
    const throttle = new Throttle({ uid: 'x', rate: '5/minute', strategy: new HitsOnly(), backend });
    await expect(throttle.refund('k', 1)).rejects.toThrow(ConfigurationError);
    await expect(throttle.charge('k', 1)).rejects.toThrow(/charge needs a strategy that supports charge and refund; hits-only does not/);
    expect(backend.requests).toHaveLength(0);
  });

  it('refuses units that are not a whole number >= 0, naming units', async () => {
    const { throttle } = setup();
    await expect(throttle.refund('k', -1)).rejects.toThrow(/units must be a whole number >= 0, got -1/);
    await expect(throttle.charge('k', 1.5)).rejects.toThrow(/units must be a whole number >= 0, got 1.5/);
    await expect(throttle.charge('k', 1, { cost: 2 } as never)).rejects.toThrow(/charge: unknown option "cost"/);
  });
});
