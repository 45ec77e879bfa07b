import type { ApplyRequest, Backend } from '../backends/backend.js';
import type { StepDecision } from '../decision.js';
import { TIMEOUT_GRACE_MS } from './call-backend.js';
import { withTimeout } from './with-timeout.js';

/**
 * `pending` (a call to `backend`), bounded by the backend's `timeoutMs` (+ a
 * small grace) when it has one: rejects with `BackendTimeoutError` then.
 */
export function bounded<T>(backend: Backend, pending: Promise<T>): Promise<T> {
  const timeoutMs = backend.timeoutMs;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || !Number.isFinite(timeoutMs)) return pending;
  return withTimeout(pending, timeoutMs + TIMEOUT_GRACE_MS, `${backend.constructor?.name ?? 'backend'} (namespace "${backend.namespace}")`);
}

/**
 * `backend.apply(request)`, bounded as `bounded` says: what the handlers use
 * to call a primary again or a fallback, so a stuck store never hangs a
 * handler either.
 */
export function boundedApply(backend: Backend, request: ApplyRequest): Promise<StepDecision[]> {
  return bounded(backend, backend.apply(request));
}

/** Resolves after `ms` ms. */
export function sleep(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms));
}
