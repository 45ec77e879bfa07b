import type { ApplyRequest, Backend } from '../backends/backend.js';
import type { StepDecision } from '../decision.js';
import { TIMEOUT_GRACE_MS } from './call-backend.js';
import { withTimeout } from './with-timeout.js';

/**
 * `backend.apply(request)`, bounded by the backend's `timeoutMs` (+ a small
 * grace) when it has one: what the handlers use to call a primary again or a
 * fallback, so a stuck store never hangs a handler either.
 */
export function boundedApply(backend: Backend, request: ApplyRequest): Promise<StepDecision[]> {
  const timeoutMs = backend.timeoutMs;
  const pending = backend.apply(request);
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || !Number.isFinite(timeoutMs)) return pending;
  return withTimeout(pending, timeoutMs + TIMEOUT_GRACE_MS, `${backend.constructor?.name ?? 'backend'} (namespace "${backend.namespace}")`);
}

/** Resolves after `ms` ms. */
export function sleep(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms));
}
