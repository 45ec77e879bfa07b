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
 */
export type OnErrorHandler = (error: unknown, info: ErrorInfo) => OnErrorResult | Promise<OnErrorResult>;

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
