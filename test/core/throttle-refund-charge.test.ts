import { describe, expect, it } from 'vitest';
import {
  ConfigurationError, EXEMPTED, FixedWindowStrategy, InMemoryBackend, Throttle, TokenBucketStrategy,
  type ApplyRequest, type Backend, type DecisionEvent, type Strategy,
} from '../../src/index.js';

/** The in-process backend, recording each request it is given. */
class RecordingBackend extends InMemoryBackend {
  readonly requests: ApplyRequest[] = [];
  override apply(request: ApplyRequest) {
    this.requests.push(request);
    return super.apply(request);
  }
}

function setup(rate = '5/minute') {
  const clock = { now: 60_000 };
  const backend = new RecordingBackend({ clock: () => clock.now });
  const events: DecisionEvent[] = [];
  const throttle = new Throttle({
    uid: 'login', rate, strategy: new FixedWindowStrategy(), backend, onDecision: (e) => void events.push({ ...e }),
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
    expect(denied.retryAfterMs).toBe(60_000);
    clock.now += denied.retryAfterMs;
    expect((await throttle.hit('carol')).allowed).toBe(true);
  });

  it('a token bucket drains a charge: the debt decides when the next hit fits', async () => {
    const clock = { now: 0 };
    const throttle = new Throttle({ uid: 'llm', rate: '10/second', strategy: new TokenBucketStrategy(), backend: new InMemoryBackend({ clock: () => clock.now }) });
    await throttle.charge('user', 25);
    const denied = await throttle.hit('user');
    // 25 units in a bucket of 10: 16 must drain (1.6 s) before one more unit fits.
    expect(denied).toMatchObject({ allowed: false, retryAfterMs: 1_600 });
    clock.now += 1_600;
    expect((await throttle.hit('user')).allowed).toBe(true);
    expect((await throttle.refund('user', 100)).remaining).toBe(10);
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
    const base = new FixedWindowStrategy();
    const hitsOnly: Strategy = {
      name: 'hits-only', step: (state, now, cost, rate) => base.step(state as never, now, cost, rate),
      serialize: (state) => base.serialize(state as never), parse: (text) => base.parse(text),
    };
    const backend = new RecordingBackend();
    const throttle = new Throttle({ uid: 'x', rate: '5/minute', strategy: hitsOnly, backend });
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

  it('a store failure goes to onError like a hit: the decision carries the error', async () => {
    const dead: Backend = {
      namespace: 'dead', apply: () => Promise.reject(new Error('down')), applyBatch: () => Promise.reject(new Error('down')),
      reset: () => Promise.resolve(), close: () => Promise.resolve(),
    };
    const throttle = new Throttle({ uid: 'd', rate: '5/minute', strategy: new FixedWindowStrategy(), backend: dead, logger: false });
    const d = await throttle.refund('k', 1);
    expect(d.allowed).toBe(false);
    expect(d.error).toBeInstanceOf(Error);
    const raising = new Throttle({ uid: 'd', rate: '5/minute', strategy: new FixedWindowStrategy(), backend: dead, logger: false, onError: 'raise' });
    await expect(raising.charge('k', 1)).rejects.toThrow(/down/);
  });
});
