import { BackendError, ConfigurationError, TraffikError, describeValue } from './errors.js';
import type { Backend, ApplyRequest } from './backends/backend.js';
import type { StepDecision } from './decision.js';
import type { Rate } from './rate.js';
import type { AnyStrategy } from './strategies/strategy.js';

/** What an `onError` handler is told about the failed hit. */
export interface ErrorInfo {
  /** The throttle's uid. */
  uid: string;
  /** The identity key of the hit. */
  key: string;
  /** The hit's cost. */
  cost: number;
  /** The limited rates the hit was checked against. */
  rates: readonly Rate[];
  /** The backend that failed. */
  backend: Backend;
  /** The throttle's strategy. */
  strategy: AnyStrategy;
  /** The request the backend failed to apply: hand it to another backend to fail over. */
  request: ApplyRequest;
  /** The context passed to `hit`, if any. */
  context: unknown;
  /** The throttle's `minWaitMs`: the wait a handler should use to fail closed (1000 when 0). Always set by `Throttle`. */
  minWaitMs?: number;
}

/**
 * What an `onError` handler returns: a wait in ms (0 allows the hit, more
 * denies it with that `retryAfterMs`), one decision, or one decision per rate
 * (as a fallback backend's `apply` returns them).
 */
export type OnErrorResult = number | StepDecision | readonly StepDecision[];

/**
 * A custom error policy. Called when the backend fails (never for a plain
 * denial); awaited. Whatever it throws reaches the caller of `hit`.
 *
 * Two optional hooks let a handler see the healthy path too (the circuit
 * breaker handlers of `traffik/errors` use them):
 * - `preempt(request, backend)`: called synchronously before every backend
 *   call. Return `undefined` to call the backend; return anything else (an
 *   error) to skip the backend and have the handler called with that value as
 *   the error, as if the backend had failed with it. This is how an open
 *   circuit costs no call to a dead backend. Throwing from it rejects the hit.
 * - `succeeded(request, backend)`: called synchronously after the backend
 *   answered a hit (allowed or denied). Throwing from it rejects the hit.
 */
export interface OnErrorHandler {
  (error: unknown, info: ErrorInfo): OnErrorResult | Promise<OnErrorResult>;
  preempt?(request: ApplyRequest, backend: Backend): unknown;
  succeeded?(request: ApplyRequest, backend: Backend): void;
}

/**
 * What a throttle does when its backend fails:
 * - `'allow'`: fail open, the hit is allowed;
 * - `'throttle'` (default): fail closed, denied with `retryAfterMs` = `minWaitMs` or 1000;
 * - `'raise'`: the `BackendError` reaches the caller;
 * - a handler: see `OnErrorHandler`.
 * A throttle's `onError` wins over its backend's.
 */
export type OnError = 'allow' | 'throttle' | 'raise' | OnErrorHandler;

/** The policy used when neither the throttle nor the backend sets one. */
export const DEFAULT_ON_ERROR: OnError = 'throttle';

/** The wait of `'throttle'` when the throttle has no `minWaitMs`. */
export const DEFAULT_ERROR_WAIT_MS = 1000;

/** The wait of a fail-closed answer: `minWaitMs`, or 1000 ms when it is 0. */
export function failClosedWaitMs(info: { minWaitMs?: number | undefined }): number {
  return info.minWaitMs !== undefined && info.minWaitMs > 0 ? info.minWaitMs : DEFAULT_ERROR_WAIT_MS;
}

/**
 * A backend failure as `onError` and `decision.error` see it: Traffik's own
 * errors as they are, anything else wrapped in `BackendError` (cause = the original).
 */
export function asBackendFailure(error: unknown): TraffikError {
  return error instanceof TraffikError ? error : new BackendError(`Backend failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

/**
 * Applies an error policy to a failure: `'raise'` rethrows it, `'allow'`
 * gives 0 (allow), `'throttle'` the fail-closed wait, a handler what it
 * returns (awaited; what it throws propagates).
 */
export function applyErrorPolicy(policy: OnError, error: TraffikError, info: ErrorInfo): OnErrorResult | Promise<OnErrorResult> {
  if (policy === 'raise') throw error;
  if (policy === 'allow') return 0;
  if (policy === 'throttle') return failClosedWaitMs(info);
  return policy(error, info);
}

/** Turns an `onError` result into one decision per rate (a wait of 0 allows; more denies for that long). */
export function errorDecisions(result: OnErrorResult, rates: readonly Rate[], minWaitMs: number): StepDecision[] {
  if (typeof result === 'number') {
    if (!Number.isFinite(result) && result !== Infinity) {
      throw new ConfigurationError(`onError returned ${describeValue(result)}; expected a wait in ms or a decision`);
    }
    const limit = Math.min(...rates.map((r) => r.limit));
    if (result <= 0) return [{ allowed: true, limit, remaining: limit, retryAfterMs: 0, resetAfterMs: 0, delayMs: 0 }];
    return [{ allowed: false, limit, remaining: 0, retryAfterMs: Math.max(Math.ceil(result), minWaitMs), resetAfterMs: Math.ceil(result), delayMs: 0 }];
  }
  if (Array.isArray(result)) return result as StepDecision[];
  if (result !== null && typeof result === 'object' && typeof (result as StepDecision).allowed === 'boolean') {
    return [result as StepDecision];
  }
  throw new ConfigurationError(`onError returned ${describeValue(result)}; expected a wait in ms or a decision`);
}
