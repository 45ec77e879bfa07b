import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitOpenError, ConfigurationError } from '../../src/errors.js';

function clocked(options: { failureThreshold?: number; recoveryTimeoutMs?: number; successThreshold?: number } = {}) {
  const clock = { now: 0 };
  const changes: string[] = [];
  const breaker = new CircuitBreaker({
    failureThreshold: 3, recoveryTimeoutMs: 1000, successThreshold: 2, ...options,
    clock: () => clock.now, name: 'store', onStateChange: (state, previous) => changes.push(`${previous}->${state}`),
  });
  return { clock, breaker, changes };
}

describe('CircuitBreaker', () => {
  it('opens after failureThreshold consecutive failures; a success in between starts the count again', () => {
    const { breaker } = clocked();
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.state).toBe('closed');
    expect(breaker.allowRequest()).toBe(true);
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.allowRequest()).toBe(false);
  });

  it('goes half-open after recoveryTimeoutMs, lets successThreshold trials through, and closes after that many successes', () => {
    const { clock, breaker, changes } = clocked();
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    clock.now = 999;
    expect(breaker.allowRequest()).toBe(false);
    expect(breaker.info().retryInMs).toBe(1);
    clock.now = 1000;
    expect(breaker.state).toBe('half-open');
    expect(breaker.allowRequest()).toBe(true);
    expect(breaker.allowRequest()).toBe(true);
    expect(breaker.allowRequest()).toBe(false); // two trials in flight at most
    breaker.recordSuccess();
    expect(breaker.state).toBe('half-open');
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('a failed trial opens the circuit again for a full recoveryTimeoutMs', () => {
    const { clock, breaker } = clocked();
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    clock.now = 1000;
    expect(breaker.allowRequest()).toBe(true);
    clock.now = 1500;
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    clock.now = 2499;
    expect(breaker.state).toBe('open');
    clock.now = 2500;
    expect(breaker.state).toBe('half-open');
  });

  it('forceOpen holds the circuit open past the recovery time until forceClose', () => {
    const { clock, breaker } = clocked();
    breaker.forceOpen();
    clock.now = 1_000_000;
    expect(breaker.state).toBe('open');
    expect(breaker.info()).toMatchObject({ state: 'open', forced: true, retryInMs: 0 });
    breaker.forceClose();
    expect(breaker.info()).toMatchObject({ state: 'closed', forced: false, failures: 0 });
    expect(breaker.allowRequest()).toBe(true);
  });

  it('info() reports the counts and thresholds for a health endpoint', () => {
    const { clock, breaker } = clocked();
    breaker.recordFailure();
    expect(breaker.info()).toEqual({
      name: 'store', state: 'closed', forced: false, failures: 1, successes: 0, trialsInFlight: 0, openedAt: undefined,
      retryInMs: 0, failureThreshold: 3, recoveryTimeoutMs: 1000, successThreshold: 2,
    });
    clock.now = 50;
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.info()).toMatchObject({ state: 'open', openedAt: 50, retryInMs: 1000 });
  });

  it('a throwing onStateChange does not stop the transition', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, onStateChange: () => { throw new Error('logger down'); } });
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
  });

  it('has one shared CircuitOpenError for skipped calls', () => {
    const { breaker } = clocked();
    expect(breaker.openError).toBeInstanceOf(CircuitOpenError);
    expect(breaker.openError.message).toContain('"store"');
  });

  it('rejects bad options with ConfigurationError naming the value', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0 })).toThrow(/failureThreshold .* got 0/);
    expect(() => new CircuitBreaker({ recoveryTimeoutMs: -1 })).toThrow(/recoveryTimeoutMs .* got -1/);
    expect(() => new CircuitBreaker({ successThreshold: 1.5 })).toThrow(/successThreshold .* got 1.5/);
    expect(() => new CircuitBreaker({ clock: 5 as never })).toThrow(ConfigurationError);
    expect(() => new CircuitBreaker({ failureTreshold: 3 } as never)).toThrow(/unknown option "failureTreshold"/);
  });
});
