import { describe, expect, it } from 'vitest';
import {
  BackendConnectionError, BackendError, BackendTimeoutError, CircuitBreaker, CircuitOpenError, ConfigurationError,
  circuitBreaker, failover, fallback, retry,
} from '../../src/errors.js';
import { InMemoryBackend, Throttle } from '../../src/index.js';
import { SwitchableBackend } from './switchable-backend.js';

function setup(options: { timeoutMs?: number } = {}) {
  const clock = { now: 1_000_000 };
  const primary = new SwitchableBackend({ clock: () => clock.now, namespace: 'primary', ...options });
  const spare = new InMemoryBackend({ namespace: 'spare', clock: () => clock.now });
  return { clock, primary, spare };
}

describe("built-in policies under an outage", () => {
  it("'allow' fails open, 'throttle' fails closed with minWaitMs or 1000 ms, 'raise' rejects with the BackendError", async () => {
    const { primary } = setup();
    primary.mode = 'down';
    const open = await new Throttle({ uid: 'a', rate: '1/minute', backend: primary, onError: 'allow' }).hit('k');
    expect(open).toMatchObject({ allowed: true });
    expect(open.error).toBeInstanceOf(BackendConnectionError);
    expect(await new Throttle({ uid: 't', rate: '1/minute', backend: primary, onError: 'throttle' }).hit('k'))
      .toMatchObject({ allowed: false, retryAfterMs: 1000 });
    expect(await new Throttle({ uid: 't2', rate: '1/minute', backend: primary, onError: 'throttle', minWaitMs: 250 }).hit('k'))
      .toMatchObject({ allowed: false, retryAfterMs: 250 });
    await expect(new Throttle({ uid: 'r', rate: '1/minute', backend: primary, onError: 'raise' }).hit('k'))
      .rejects.toBeInstanceOf(BackendConnectionError);
  });
});

describe('fallback', () => {
  it('decides on the fallback backend with the same strategy, rates and keys', async () => {
    const { primary, spare } = setup();
    const throttle = new Throttle({ uid: 'f', rate: '2/minute', backend: primary, onError: fallback({ backend: spare }) });
    expect((await throttle.hit('k')).allowed).toBe(true); // primary, up
    primary.mode = 'down';
    const first = await throttle.hit('k');
    expect(first).toMatchObject({ allowed: true, remaining: 1 }); // the spare starts fresh
    expect(first.error).toBeInstanceOf(BackendConnectionError);
    expect((await throttle.hit('k')).allowed).toBe(true);
    expect(await throttle.hit('k')).toMatchObject({ allowed: false, remaining: 0 }); // the spare's own limit
  });

  it('fails closed when the error does not match fallbackOn, or the fallback fails too', async () => {
    const { primary } = setup();
    primary.mode = 'down';
    const spareDown = new SwitchableBackend({ namespace: 'spare' });
    spareDown.mode = 'down';
    const both = new Throttle({ uid: 'f', rate: '2/minute', backend: primary, minWaitMs: 300, onError: fallback({ backend: spareDown }) });
    expect(await both.hit('k')).toMatchObject({ allowed: false, retryAfterMs: 300 });
    const spare = new InMemoryBackend();
    const picky = new Throttle({ uid: 'p', rate: '2/minute', backend: primary, onError: fallback({ backend: spare, fallbackOn: [BackendTimeoutError] }) });
    expect(await picky.hit('k')).toMatchObject({ allowed: false, retryAfterMs: 1000 });
    const byPredicate = new Throttle({ uid: 'q', rate: '2/minute', backend: primary, onError: fallback({ backend: spare, fallbackOn: (e) => e instanceof BackendConnectionError }) });
    expect((await byPredicate.hit('k')).allowed).toBe(true);
  });

  it('rejects a missing backend', () => {
    expect(() => fallback({ backend: {} as never })).toThrow(/fallback: backend must implement the Backend interface/);
  });
});

describe('retry', () => {
  it('calls the backend again after delayMs * backoffMultiplier^i and returns the first success', async () => {
    const { primary } = setup();
    const waits: number[] = [];
    const throttle = new Throttle({
      uid: 'r', rate: '5/minute', backend: primary,
      onError: retry({
        maxRetries: 3, delayMs: 100, backoffMultiplier: 2,
        sleep: async (ms) => {
          waits.push(ms);
          if (waits.length === 2) primary.mode = 'up';
        },
      }),
    });
    primary.mode = 'down';
    const decision = await throttle.hit('k');
    expect(waits).toEqual([100, 200]);
    expect(primary.calls).toBe(3); // the failed call, a failed retry, the successful retry
    expect(decision).toMatchObject({ allowed: true, remaining: 4 });
  });

  it('after maxRetries failures does what whenExhausted says', async () => {
    const { primary } = setup();
    primary.mode = 'down';
    const sleep = async () => undefined;
    const closed = new Throttle({ uid: 'a', rate: '5/minute', backend: primary, onError: retry({ maxRetries: 2, sleep }) });
    expect(await closed.hit('k')).toMatchObject({ allowed: false, retryAfterMs: 1000 });
    expect(primary.calls).toBe(3);
    const open = new Throttle({ uid: 'b', rate: '5/minute', backend: primary, onError: retry({ maxRetries: 1, sleep, whenExhausted: 'allow' }) });
    expect((await open.hit('k')).allowed).toBe(true);
    const raising = new Throttle({ uid: 'c', rate: '5/minute', backend: primary, onError: retry({ maxRetries: 1, sleep, whenExhausted: 'raise' }) });
    await expect(raising.hit('k')).rejects.toBeInstanceOf(BackendConnectionError);
  });

  it('retries only what retryOn names', async () => {
    const { primary } = setup();
    primary.mode = 'down';
    const waits: number[] = [];
    const throttle = new Throttle({
      uid: 'r', rate: '5/minute', backend: primary,
      onError: retry({ maxRetries: 3, retryOn: [BackendTimeoutError], sleep: async (ms) => void waits.push(ms) }),
    });
    expect((await throttle.hit('k')).allowed).toBe(false);
    expect(waits).toEqual([]);
    expect(primary.calls).toBe(1);
  });

  it('jitter takes up to its fraction of each delay off at random', async () => {
    const { primary } = setup();
    primary.mode = 'down';
    const waits: number[] = [];
    const randoms = [0, 0.5, 0.999];
    const throttle = new Throttle({
      uid: 'j', rate: '5/minute', backend: primary,
      onError: retry({ maxRetries: 3, delayMs: 100, backoffMultiplier: 1, jitter: 0.5, random: () => randoms.shift()!, sleep: async (ms) => void waits.push(ms) }),
    });
    await throttle.hit('k');
    expect(waits[0]).toBe(100);
    expect(waits[1]).toBe(75);
    expect(waits[2]).toBeCloseTo(50.05, 5);
  });

  it('rejects bad options naming the value', () => {
    expect(() => retry({ maxRetries: -1 })).toThrow(/maxRetries .* got -1/);
    expect(() => retry({ backoffMultiplier: 0.5 })).toThrow(/backoffMultiplier must be a number >= 1, got 0.5/);
    expect(() => retry({ jitter: 2 })).toThrow(/jitter .* got 2/);
    expect(() => retry({ whenExhausted: 'ignore' as never })).toThrow(/whenExhausted .* got "ignore"/);
    expect(() => retry({ retryOn: 'timeout' as never })).toThrow(/retryOn must be a function or a list of error classes, got "timeout"/);
    expect(() => retry({ delay: 5 } as never)).toThrow(ConfigurationError);
  });
});

describe('circuitBreaker', () => {
  it('stops calling a dead backend once open, denies with waitMs, and closes again after recovery', async () => {
    const { clock, primary } = setup();
    const breaker = new CircuitBreaker({ failureThreshold: 3, recoveryTimeoutMs: 5000, successThreshold: 1, clock: () => clock.now });
    const throttle = new Throttle({ uid: 'c', rate: '100/minute', backend: primary, onError: circuitBreaker({ breaker, waitMs: 2500 }) });
    primary.mode = 'down';
    for (let i = 0; i < 3; i++) expect(await throttle.hit('k')).toMatchObject({ allowed: false, retryAfterMs: 2500 });
    expect(breaker.state).toBe('open');
    const callsWhenOpened = primary.calls;
    for (let i = 0; i < 50; i++) {
      const d = await throttle.hit('k');
      expect(d).toMatchObject({ allowed: false, retryAfterMs: 2500 });
      expect(d.error).toBe(breaker.openError);
    }
    expect(primary.calls).toBe(callsWhenOpened); // not one call while open
    primary.mode = 'up';
    clock.now += 5000;
    expect((await throttle.hit('k')).allowed).toBe(true); // the trial
    expect(breaker.state).toBe('closed');
  });

  it('waitMs 0 fails open; by default it waits minWaitMs or 1000', async () => {
    const { primary } = setup();
    primary.mode = 'down';
    const open = new Throttle({ uid: 'o', rate: '1/minute', backend: primary, onError: circuitBreaker({ breaker: new CircuitBreaker(), waitMs: 0 }) });
    expect((await open.hit('k')).allowed).toBe(true);
    const closed = new Throttle({ uid: 'c', rate: '1/minute', backend: primary, onError: circuitBreaker({ breaker: new CircuitBreaker() }) });
    expect(await closed.hit('k')).toMatchObject({ allowed: false, retryAfterMs: 1000 });
  });

  it('rejects a breaker that is not a CircuitBreaker', () => {
    expect(() => circuitBreaker({ breaker: { state: 'closed' } as never })).toThrow(/breaker must be a CircuitBreaker/);
    expect(() => circuitBreaker({ breaker: new CircuitBreaker(), waitMs: -5 })).toThrow(/waitMs .* got -5/);
  });
});

describe('failover', () => {
  it('closed: retries the primary, then falls back; open: the fallback at once with no call to the primary; half-open: trials, then closed', async () => {
    const { clock, primary, spare } = setup();
    const breaker = new CircuitBreaker({ failureThreshold: 4, recoveryTimeoutMs: 10_000, successThreshold: 2, clock: () => clock.now });
    const throttle = new Throttle({ uid: 'fo', rate: '3/minute', backend: primary, onError: failover({ backend: spare, breaker, maxRetries: 1 }) });

    primary.mode = 'down';
    const first = await throttle.hit('k');
    expect(first.allowed).toBe(true); // from the spare
    expect(first.error).toBeInstanceOf(BackendConnectionError);
    expect(primary.calls).toBe(2); // the call and one retry
    await throttle.hit('k'); // two more failures: the breaker opens
    expect(breaker.state).toBe('open');
    expect(primary.calls).toBe(4);

    const routed = await throttle.hit('k');
    expect(routed).toMatchObject({ allowed: true, remaining: 0 }); // third unit on the spare
    expect(routed.error).toBeInstanceOf(CircuitOpenError);
    expect(await throttle.hit('k')).toMatchObject({ allowed: false }); // the spare limits too
    expect(primary.calls).toBe(4); // none while open

    primary.mode = 'up';
    clock.now += 10_000;
    const trial = await throttle.hit('k');
    expect(trial.error).toBeUndefined(); // decided by the primary
    expect(breaker.state).toBe('half-open');
    await throttle.hit('k');
    expect(breaker.state).toBe('closed');
    expect(primary.calls).toBe(6);
  });

  it('a failed trial sends the hit to the fallback and opens the breaker again', async () => {
    const { clock, primary, spare } = setup();
    const breaker = new CircuitBreaker({ failureThreshold: 1, recoveryTimeoutMs: 1000, clock: () => clock.now });
    const throttle = new Throttle({ uid: 'fo', rate: '3/minute', backend: primary, onError: failover({ backend: spare, breaker, maxRetries: 2 }) });
    primary.mode = 'down';
    await throttle.hit('k');
    expect(breaker.state).toBe('open');
    expect(primary.calls).toBe(1); // the breaker opened at once: no retry
    clock.now += 1000;
    const d = await throttle.hit('k');
    expect(d.allowed).toBe(true);
    expect(primary.calls).toBe(2);
    expect(breaker.state).toBe('open');
  });

  it('fails closed when the fallback fails too, and never rejects', async () => {
    const { primary } = setup();
    primary.mode = 'down';
    const spare = new SwitchableBackend({ namespace: 'spare' });
    spare.mode = 'down';
    const throttle = new Throttle({ uid: 'fo', rate: '3/minute', backend: primary, onError: failover({ backend: spare, breaker: new CircuitBreaker(), maxRetries: 0 }) });
    expect(await throttle.hit('k')).toMatchObject({ allowed: false, retryAfterMs: 1000 });
  });

  it('covers hitMany too: an open breaker sends the whole batch to the fallback', async () => {
    const { primary, spare } = setup();
    const breaker = new CircuitBreaker();
    breaker.forceOpen();
    const throttle = new Throttle({ uid: 'fo', rate: '3/minute', backend: primary, onError: failover({ backend: spare, breaker }) });
    const decisions = await throttle.hitMany('k', [1, 1]);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true]);
    expect(primary.calls).toBe(0);
  });

  it('rejects bad options naming the value', () => {
    const spare = new InMemoryBackend();
    expect(() => failover({ backend: spare, maxRetries: 1.5 })).toThrow(/maxRetries .* got 1.5/);
    expect(() => failover({ backend: spare, breaker: {} as never })).toThrow(/breaker must be a CircuitBreaker/);
    expect(() => failover({ backend: 'redis' as never })).toThrow(/backend must implement the Backend interface, got "redis"/);
  });
});

describe('timeouts', () => {
  it("a stuck backend with timeoutMs is cut off: the hit is answered by onError within timeoutMs plus the guard's grace", async () => {
    const { primary } = setup({ timeoutMs: 60 });
    primary.mode = 'stuck';
    const throttle = new Throttle({ uid: 't', rate: '3/minute', backend: primary, onError: 'allow' });
    const started = performance.now();
    const d = await throttle.hit('k');
    const elapsed = performance.now() - started;
    expect(d.allowed).toBe(true);
    expect(d.error).toBeInstanceOf(BackendTimeoutError);
    expect(d.error).toBeInstanceOf(BackendError);
    expect(elapsed).toBeGreaterThanOrEqual(59);
    expect(elapsed).toBeLessThan(60 + 25 + 100);
  });
});
