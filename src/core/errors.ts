import type { Decision } from './decision.js';

/** Base class of every error Traffik throws. `instanceof TraffikError` catches them all. */
export class TraffikError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A value given to Traffik is wrong: a bad rate string, an unknown option, a
 * negative cost. Thrown at construction (or by the call that received the
 * value), before any state changes; the message names the wrong value.
 */
export class ConfigurationError extends TraffikError {}

/**
 * A hit was denied. Thrown by `Throttle.enforce` and used by the integrations;
 * `decision` holds the full decision (retryAfterMs, limit, remaining, ...).
 */
export class RateLimitExceededError extends TraffikError {
  /** The decision that denied the hit. */
  readonly decision: Decision;
  constructor(decision: Decision, message?: string) {
    super(
      message ??
        `Rate limit exceeded for "${decision.uid}": retry after ${decision.retryAfterMs} ms`,
    );
    this.decision = decision;
  }
}

/**
 * The backend failed to answer: a bad reply, corrupt stored state, a timeout.
 * Throttles hand it to `onError`; it reaches the caller only with
 * `onError: 'raise'`.
 */
export class BackendError extends TraffikError {}

/** The backend could not be reached (connection refused, closed, or down). */
export class BackendConnectionError extends BackendError {}

/** The backend did not answer within its `timeoutMs` (a stuck or overloaded store). */
export class BackendTimeoutError extends BackendError {}

/** Formats a value for an error message: strings quoted, everything else as JS would print it. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return String(value);
  }
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return `a function`;
  if (typeof value === 'symbol') return value.toString();
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * A user function (cost, rate, identify) did not settle within the
 * throttle's `functionTimeoutMs`. The message names the function. The hit
 * rejects with it (it is a bug in the app, not a store failure).
 */
export class FunctionTimeoutError extends TraffikError {}

/**
 * `Throttle.wait` gave up: the hit could not be admitted within `maxWaitMs`
 * (or can never be, `retryAfterMs` being Infinity). `decision` is the last
 * denial seen, when there was one.
 */
export class WaitTimeoutError extends TraffikError {
  /** The last denial `wait` received, if any. */
  readonly decision: Decision | undefined;
  constructor(message: string, decision?: Decision) {
    super(message);
    this.decision = decision;
  }
}

/**
 * The circuit breaker is open: the backend was not called at all. Handlers
 * of `traffik/errors` receive it (from their `preempt` hook) instead of a
 * real failure, and it is the `error` of the decisions they then make.
 */
export class CircuitOpenError extends BackendError {}
