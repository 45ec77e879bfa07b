import { systemClock, type Clock } from '../clock.js';
import { CircuitOpenError, ConfigurationError, describeValue } from '../errors.js';
import { checkOptionNames, checkWholeNumber } from '../options.js';

/** `'closed'`: calls go through; `'open'`: calls are skipped; `'half-open'`: a few trial calls test recovery. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Options of `new CircuitBreaker(...)`. Every value is checked at construction. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open a closed circuit (default 5, >= 1). */
  failureThreshold?: number;
  /** How long an open circuit stays open before it lets trial calls through, ms (default 30,000). */
  recoveryTimeoutMs?: number;
  /** Successful trial calls that close a half-open circuit (default 2, >= 1); also the most trials in flight at once. */
  successThreshold?: number;
  /** Time source in ms (default `Date.now`). Inject one in tests. */
  clock?: Clock;
  /** A name for messages and metrics (default `"circuit"`). */
  name?: string;
  /**
   * Called synchronously on every state change, after it happened. Whatever
   * it throws is caught and dropped (one `process.emitWarning`), so a
   * logging bug never changes a decision.
   */
  onStateChange?: (state: CircuitState, previous: CircuitState) => void;
}

/** A snapshot of a breaker, for health endpoints (`breaker.info()`). */
export interface CircuitBreakerInfo {
  name: string;
  state: CircuitState;
  /** True after `forceOpen()`: the circuit stays open until `forceClose()`. */
  forced: boolean;
  /** Consecutive failures while closed. */
  failures: number;
  /** Successful trials while half-open. */
  successes: number;
  /** Trial calls in flight while half-open. */
  trialsInFlight: number;
  /** Clock time the circuit last opened, or undefined. */
  openedAt: number | undefined;
  /** While open: ms until trial calls are let through (0 when due). Otherwise 0. */
  retryInMs: number;
  failureThreshold: number;
  recoveryTimeoutMs: number;
  successThreshold: number;
}

const BREAKER_OPTIONS = ['failureThreshold', 'recoveryTimeoutMs', 'successThreshold', 'clock', 'name', 'onStateChange'];

/**
 * A circuit breaker for a backend. Closed: calls go through and
 * `failureThreshold` consecutive failures open it. Open: `allowRequest()`
 * says no (nothing is sent to the backend) until `recoveryTimeoutMs` has
 * passed; then it is half-open and lets up to `successThreshold` trial calls
 * through at once: any failure opens it again, `successThreshold` successes
 * close it. Synchronous and allocation-free on the closed path (one
 * comparison per call). Share one breaker between the throttles of one backend.
 */
export class CircuitBreaker {
  readonly name: string;
  readonly failureThreshold: number;
  readonly recoveryTimeoutMs: number;
  readonly successThreshold: number;
  /** The error handed to handlers for a call the open circuit skipped (one shared instance). */
  readonly openError: CircuitOpenError;
  private readonly clock: Clock;
  private readonly onStateChange: ((state: CircuitState, previous: CircuitState) => void) | undefined;
  private current: CircuitState = 'closed';
  private forced = false;
  private failures = 0;
  private successes = 0;
  private trials = 0;
  private openedAt: number | undefined;
  private warned = false;

  constructor(options: CircuitBreakerOptions = {}) {
    checkOptionNames('CircuitBreaker', options, BREAKER_OPTIONS);
    const { failureThreshold = 5, recoveryTimeoutMs = 30_000, successThreshold = 2, clock = systemClock, name = 'circuit', onStateChange } = options;
    this.failureThreshold = checkWholeNumber('CircuitBreaker', 'failureThreshold', failureThreshold, 1);
    this.recoveryTimeoutMs = checkWholeNumber('CircuitBreaker', 'recoveryTimeoutMs', recoveryTimeoutMs, 0);
    this.successThreshold = checkWholeNumber('CircuitBreaker', 'successThreshold', successThreshold, 1);
    if (typeof clock !== 'function') throw new ConfigurationError(`CircuitBreaker: clock must be a function returning ms, got ${describeValue(clock)}`);
    if (typeof name !== 'string' || name === '') throw new ConfigurationError(`CircuitBreaker: name must be a non-empty string, got ${describeValue(name)}`);
    if (onStateChange !== undefined && typeof onStateChange !== 'function') {
      throw new ConfigurationError(`CircuitBreaker: onStateChange must be a function, got ${describeValue(onStateChange)}`);
    }
    this.clock = clock;
    this.name = name;
    this.onStateChange = onStateChange;
    this.openError = new CircuitOpenError(`Circuit "${name}" is open: the backend was not called`);
  }

  /** The state now (an open circuit whose recovery time has passed reads as half-open). */
  get state(): CircuitState {
    if (this.current === 'open' && !this.forced && this.clock() - this.openedAt! >= this.recoveryTimeoutMs) {
      this.transition('half-open');
    }
    return this.current;
  }

  /**
   * Asks to make one call: true when it may go to the backend. Closed: always.
   * Open: no. Half-open: yes while fewer than `successThreshold` trials are
   * in flight (the call is then a trial: report its end with
   * `recordSuccess` / `recordFailure`).
   */
  allowRequest(): boolean {
    if (this.current === 'closed') return true;
    if (this.state === 'open') return false;
    if (this.trials >= this.successThreshold) return false;
    this.trials++;
    return true;
  }

  /** Reports a call that succeeded. Closed: clears the failure count. Half-open: counts toward closing. */
  recordSuccess(): void {
    if (this.current === 'closed') {
      this.failures = 0;
      return;
    }
    if (this.current !== 'half-open') return;
    if (this.trials > 0) this.trials--;
    this.successes++;
    if (this.successes >= this.successThreshold) this.transition('closed');
  }

  /** Reports a call that failed. Closed: opens after `failureThreshold` in a row. Half-open: opens again. */
  recordFailure(): void {
    if (this.current === 'closed') {
      this.failures++;
      if (this.failures >= this.failureThreshold) this.transition('open');
    } else if (this.current === 'half-open') {
      this.transition('open');
    }
  }

  /** Opens the circuit and holds it open (no recovery trials) until `forceClose()`. */
  forceOpen(): void {
    this.forced = true;
    if (this.current !== 'open') this.transition('open');
  }

  /** Closes the circuit now and clears every count (also ends a `forceOpen`). */
  forceClose(): void {
    this.forced = false;
    if (this.current !== 'closed') this.transition('closed');
    this.failures = 0;
  }

  /** A snapshot for health endpoints and logs. */
  info(): CircuitBreakerInfo {
    const state = this.state;
    const retryInMs = state === 'open' && !this.forced ? Math.max(0, this.openedAt! + this.recoveryTimeoutMs - this.clock()) : 0;
    return {
      name: this.name, state, forced: this.forced, failures: this.failures, successes: this.successes,
      trialsInFlight: this.trials, openedAt: this.openedAt, retryInMs,
      failureThreshold: this.failureThreshold, recoveryTimeoutMs: this.recoveryTimeoutMs, successThreshold: this.successThreshold,
    };
  }

  private transition(next: CircuitState): void {
    const previous = this.current;
    this.current = next;
    this.failures = 0;
    this.successes = 0;
    this.trials = 0;
    if (next === 'open') this.openedAt = this.clock();
    if (this.onStateChange === undefined || previous === next) return;
    try {
      this.onStateChange(next, previous);
    } catch (error) {
      if (!this.warned) {
        this.warned = true;
        process.emitWarning(`CircuitBreaker "${this.name}": onStateChange threw (${(error as Error)?.message ?? String(error)}); later throws are dropped silently`);
      }
    }
  }
}
