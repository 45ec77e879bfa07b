import { describe, expect, it, vi } from 'vitest';
import {
  BackendError, ConfigurationError, EXEMPTED, FixedWindowStrategy, InMemoryBackend, Rate, RateLimitExceededError,
  Throttle, TokenBucketStrategy, type ApplyRequest, type Backend, type BatchRequest, type StepDecision,
} from '../../src/index.js';

function clocked(start = 1_000_000) {
  const clock = { now: start };
  const backend = new InMemoryBackend({ clock: () => clock.now });
  return { clock, backend };
}

/** A backend whose every call fails, as a dead store does. */
class FailingBackend implements Backend {
  readonly namespace = 'failing';
  readonly onError = undefined;
  calls = 0;
  apply(_request: ApplyRequest): Promise<StepDecision[]> {
    this.calls++;
    return Promise.reject(new Error('connection refused'));
  }
  applyBatch(_request: BatchRequest): Promise<StepDecision[][]> {
    this.calls++;
    return Promise.reject(new Error('connection refused'));
  }
  reset(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('Throttle', () => {
  it('limits per identity key and says who was limited', async () => {
    const { backend } = clocked();
    const throttle = new Throttle({ uid: 'search', rate: '2/minute', backend });
    expect((await throttle.hit('alice')).allowed).toBe(true);
    expect((await throttle.hit('alice')).allowed).toBe(true);
    const denied = await throttle.hit('alice');
    expect(denied).toMatchObject({ allowed: false, uid: 'search', key: 'alice', cost: 1, limit: 2, remaining: 0 });
    expect((await throttle.hit('bob')).allowed).toBe(true);
  });

  it('EXEMPTED is always allowed and never reaches the backend', async () => {
    const backend = new FailingBackend();
    const throttle = new Throttle({ uid: 'x', rate: '1/hour', backend, onError: 'raise' });
    for (let i = 0; i < 5; i++) {
      expect(await throttle.hit(EXEMPTED)).toMatchObject({ allowed: true, exempt: true, cost: 0 });
    }
    expect(backend.calls).toBe(0);
  });

  it('takes the cost from the call, a number, or a sync or async function of (key, context)', async () => {
    const { backend } = clocked();
    const costs = { read: 1, export: 5 } as const;
    const syncCost = new Throttle<{ op: keyof typeof costs }>({ uid: 's', rate: '10/m', backend, cost: (_key, ctx) => costs[ctx?.op ?? 'read'] });
    expect((await syncCost.hit('u', { context: { op: 'export' } })).remaining).toBe(5);
    expect((await syncCost.hit('u', { context: { op: 'read' } })).remaining).toBe(4);
    expect((await syncCost.hit('u', { cost: 4 })).remaining).toBe(0);
    const asyncCost = new Throttle({ uid: 'a', rate: '10/m', backend, cost: async () => 3 });
    expect((await asyncCost.hit('u')).remaining).toBe(7);
    const fixed = new Throttle({ uid: 'f', rate: '10/m', backend, cost: 10 });
    expect((await fixed.hit('u')).remaining).toBe(0);
  });

  it.each([-1, 1.5, Number.NaN, Infinity, '2', null])('rejects cost %s before any state changes', async (cost) => {
    const { backend } = clocked();
    const throttle = new Throttle({ uid: 'c', rate: '1/m', backend });
    await expect(throttle.hit('u', { cost: cost as number })).rejects.toThrow(ConfigurationError);
    await expect(throttle.hit('u', { cost: cost as number })).rejects.toThrow(`got ${cost === '2' ? '"2"' : String(cost)}`);
    expect(backend.size).toBe(0);
    const fromFunction = new Throttle({ uid: 'cf', rate: '1/m', backend, cost: () => cost as number });
    await expect(fromFunction.hit('u')).rejects.toThrow(ConfigurationError);
    expect((await throttle.hit('u')).allowed).toBe(true);
  });

  it('cost 0 is always allowed and changes nothing', async () => {
    const { backend } = clocked();
    const throttle = new Throttle({ uid: 'z', rate: '1/m', backend });
    await throttle.hit('u');
    const free = await throttle.hit('u', { cost: 0 });
    expect(free).toMatchObject({ allowed: true, remaining: 0, retryAfterMs: 0 });
    expect((await throttle.hit('u')).allowed).toBe(false);
  });

  it('applies several rates all-or-nothing and reports each one', async () => {
    const { clock, backend } = clocked(0);
    const throttle = new Throttle({ uid: 'multi', rate: ['2/second', '3/10 seconds'], backend });
    expect((await throttle.hit('u')).allowed).toBe(true);
    expect((await throttle.hit('u')).allowed).toBe(true);
    const burst = await throttle.hit('u');
    // The per-second rate denies; the 10-second rate would allow but is not charged.
    expect(burst.allowed).toBe(false);
    expect(burst.retryAfterMs).toBe(1000);
    expect(burst.policies?.map((p) => [p.rate.toString(), p.allowed, p.remaining])).toEqual([
      ['2/1000ms', false, 0],
      ['3/10000ms', true, 1],
    ]);
    clock.now = 1000;
    const third = await throttle.hit('u');
    expect(third.allowed).toBe(true);
    expect(third.remaining).toBe(0);
    clock.now = 2000;
    const sustained = await throttle.hit('u');
    expect(sustained).toMatchObject({ allowed: false, retryAfterMs: 8000, limit: 3 });
  });

  it('raises retryAfterMs to minWaitMs', async () => {
    const { backend } = clocked(0);
    const throttle = new Throttle({ uid: 'w', rate: '1/100ms', backend, minWaitMs: 750 });
    await throttle.hit('u');
    expect((await throttle.hit('u')).retryAfterMs).toBe(750);
  });

  it('chooses the rate per hit with a rate function', async () => {
    const { backend } = clocked();
    const throttle = new Throttle<{ plan: 'free' | 'pro' }>({
      uid: 'plan', backend,
      rate: (_key, ctx) => (ctx?.plan === 'pro' ? '5/m' : '1/m'),
    });
    expect((await throttle.hit('a', { context: { plan: 'free' } })).limit).toBe(1);
    expect((await throttle.hit('b', { context: { plan: 'pro' } })).limit).toBe(5);
    await expect(new Throttle({ uid: 'bad', backend, rate: () => 'often' }).hit('a')).rejects.toThrow(/"often"/);
  });

  it('"0/0" allows everything and stores nothing', async () => {
    const { backend } = clocked();
    const throttle = new Throttle({ uid: 'free', rate: '0/0', backend });
    for (let i = 0; i < 100; i++) expect((await throttle.hit('u')).allowed).toBe(true);
    expect(backend.size).toBe(0);
  });

  it('peek consumes nothing; reset forgets the key', async () => {
    const { backend } = clocked();
    const throttle = new Throttle({ uid: 'p', rate: '2/m', backend });
    await throttle.hit('u');
    expect(await throttle.peek('u')).toMatchObject({ allowed: true, remaining: 0 });
    expect((await throttle.peek('u', { cost: 2 })).allowed).toBe(false);
    expect((await throttle.hit('u')).remaining).toBe(0);
    await throttle.reset('u');
    expect((await throttle.hit('u')).remaining).toBe(1);
  });

  it('enforce throws RateLimitExceededError carrying the decision', async () => {
    const { backend } = clocked();
    const throttle = new Throttle({ uid: 'e', rate: '1/m', backend });
    await throttle.enforce('u');
    const error = await throttle.enforce('u').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitExceededError);
    expect((error as RateLimitExceededError).decision).toMatchObject({ allowed: false, uid: 'e', key: 'u' });
  });

  it('hitMany applies hits in order in one backend call', async () => {
    const { backend } = clocked();
    const spy = vi.spyOn(backend, 'applyBatch');
    const throttle = new Throttle({ uid: 'many', rate: '600/m', backend });
    const decisions = await throttle.hitMany('u', Array.from({ length: 1000 }, () => 1));
    expect(spy).toHaveBeenCalledTimes(1);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(600);
    expect(decisions.findIndex((d) => !d.allowed)).toBe(600);
  });

  it('keys never collide across uids and identities, whatever they contain', async () => {
    const { backend } = clocked();
    const a = new Throttle({ uid: 'a', rate: '1/m', backend });
    const ab = new Throttle({ uid: 'a:b', rate: '1/m', backend });
    expect((await a.hit('b:c')).allowed).toBe(true);
    expect((await ab.hit('c')).allowed).toBe(true);
    const odd = ['x'.repeat(10_000), '{tag}', '}{', 'a:b:c', 'line\nbreak', 'ünïcødé 🚦', '', '1:a'];
    for (const key of odd) expect((await a.hit(key)).allowed).toBe(true);
    for (const key of odd) expect((await a.hit(key)).allowed).toBe(false);
    expect(backend.size).toBe(2 + odd.length);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['missing uid', { rate: '1/m' }, /uid must be a non-empty string, got undefined/],
    ['empty uid', { uid: '', rate: '1/m' }, /uid must be a non-empty string, got ""/],
    ['bad rate', { uid: 'x', rate: '5 per fortnight' }, /"5 per fortnight"/],
    ['no rate', { uid: 'x', rate: [] }, /at least one rate/],
    ['duplicate rate', { uid: 'x', rate: ['1/s', '1/1000ms'] }, /given twice/],
    ['unknown option', { uid: 'x', rate: '1/s', burst: 3 }, /unknown option "burst"/],
    ['bad cost', { uid: 'x', rate: '1/s', cost: -2 }, /cost must be a whole number >= 0, got -2/],
    ['bad onError', { uid: 'x', rate: '1/s', onError: 'ignore' }, /onError must be .* got "ignore"/],
    ['bad minWaitMs', { uid: 'x', rate: '1/s', minWaitMs: -5 }, /minWaitMs must be a whole number .* got -5/],
    ['bad strategy', { uid: 'x', rate: '1/s', strategy: {} }, /strategy must implement/],
  ])('rejects %s at construction', (_name, options, message) => {
    expect(() => new Throttle(options as never)).toThrow(ConfigurationError);
    expect(() => new Throttle(options as never)).toThrow(message);
  });

  it('rejects unknown strategy options and bad strategy values by name', () => {
    expect(() => new TokenBucketStrategy({ burstsize: 3 } as never)).toThrow(/unknown option "burstsize"/);
    expect(() => new TokenBucketStrategy({ burstSize: 0 })).toThrow(/burstSize .* got 0/);
    expect(() => new FixedWindowStrategy({ limit: 3 } as never)).toThrow(ConfigurationError);
  });

  it('rejects a bad key', async () => {
    const throttle = new Throttle({ uid: 'k', rate: '1/m', backend: clocked().backend });
    await expect(throttle.hit({} as never)).rejects.toThrow(/key must be a string or EXEMPTED, got \{\}/);
  });

  describe('when the backend fails', () => {
    it("'throttle' (the default) fails closed with minWaitMs or 1000 ms", async () => {
      const backend = new FailingBackend();
      const d = await new Throttle({ uid: 'f', rate: '1/s', backend }).hit('u');
      expect(d).toMatchObject({ allowed: false, retryAfterMs: 1000 });
      expect(d.error).toBeInstanceOf(BackendError);
      expect((await new Throttle({ uid: 'f', rate: '1/s', backend, minWaitMs: 250 }).hit('u')).retryAfterMs).toBe(250);
    });

    it("'allow' fails open and 'raise' rejects with a BackendError", async () => {
      const backend = new FailingBackend();
      expect((await new Throttle({ uid: 'f', rate: '1/s', backend, onError: 'allow' }).hit('u')).allowed).toBe(true);
      await expect(new Throttle({ uid: 'f', rate: '1/s', backend, onError: 'raise' }).hit('u')).rejects.toThrow(BackendError);
    });

    it('a handler gets the error and the hit, and decides', async () => {
      const backend = new FailingBackend();
      const fallback = new InMemoryBackend();
      const seen: unknown[] = [];
      const throttle = new Throttle({
        uid: 'h', rate: '1/s', backend, cost: 1,
        onError: (error, info) => {
          seen.push([(error as Error).message, info.uid, info.key, info.cost, info.rates.map(String)]);
          return fallback.apply(info.request);
        },
      });
      expect((await throttle.hit('u')).allowed).toBe(true);
      expect((await throttle.hit('u')).allowed).toBe(false);
      expect(seen[0]).toEqual(['Backend failed: connection refused', 'h', 'u', 1, ['1/1000ms']]);
      const waits = new Throttle({ uid: 'w', rate: '1/s', backend, onError: () => 5000 });
      expect(await waits.hit('u')).toMatchObject({ allowed: false, retryAfterMs: 5000 });
    });

    it("the throttle's onError wins over the backend's", async () => {
      const backend = Object.assign(new FailingBackend(), { onError: 'allow' as const });
      expect((await new Throttle({ uid: 'b', rate: '1/s', backend }).hit('u')).allowed).toBe(true);
      expect((await new Throttle({ uid: 'b', rate: '1/s', backend, onError: 'throttle' }).hit('u')).allowed).toBe(false);
    });
  });

  it('accepts Rate objects', async () => {
    const throttle = new Throttle({ uid: 'r', rate: new Rate({ limit: 1, minutes: 1, seconds: 30 }), backend: clocked().backend });
    expect((await throttle.hit('u')).resetAfterMs).toBeGreaterThan(0);
  });
});
