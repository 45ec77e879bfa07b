import type { ApplyRequest, Backend } from './backends/backend.js';
import type { StepDecision } from './decision.js';
import { ConfigurationError, describeValue } from './errors.js';
import type { OnErrorHandler } from './on-error.js';
import { withTimeout } from './time-bounds.js';

/**
 * Calling a backend: the one "is this a backend" check, and the bounded,
 * guarded call the throttle and the `onError` handlers make.
 */

/** Extra time the throttle's guard gives a backend past its own `timeoutMs`, so the backend's own (more precise) timeout error wins. */
export const TIMEOUT_GRACE_MS = 25;

/** True when `value` implements the `Backend` interface (an object with `apply`). */
export function isBackend(value: unknown): value is Backend {
  return value !== null && typeof value === 'object' && typeof (value as Backend).apply === 'function';
}

/** Returns `backend` when it implements `Backend`; throws `ConfigurationError` naming the value otherwise. */
export function checkBackend(owner: string, backend: unknown): Backend {
  if (!isBackend(backend)) {
    throw new ConfigurationError(`${owner}: backend must implement the Backend interface, got ${describeValue(backend)}`);
  }
  return backend;
}

/** How a backend is named in messages and logs: its class and namespace. */
export function describeBackend(backend: Backend): string {
  return `${backend.constructor?.name ?? 'backend'} (namespace "${backend.namespace}")`;
}

/**
 * `pending` (a call to `backend`), bounded by the backend's `timeoutMs` (+ a
 * small grace) when it has one: rejects with `BackendTimeoutError` then.
 */
export function bounded<T>(backend: Backend, pending: Promise<T>): Promise<T> {
  const timeoutMs = backend.timeoutMs;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || !Number.isFinite(timeoutMs)) return pending;
  return withTimeout(pending, timeoutMs + TIMEOUT_GRACE_MS, describeBackend(backend));
}

/**
 * `backend.apply(request)`, bounded as `bounded` says: what the handlers use
 * to call a primary again or a fallback, so a stuck store never hangs a
 * handler either.
 */
export function boundedApply(backend: Backend, request: ApplyRequest): Promise<StepDecision[]> {
  return bounded(backend, backend.apply(request));
}

/**
 * One guarded backend call, as the throttle makes it: asks `hooks.preempt`
 * first (a value other than `undefined` rejects with it, the backend is not
 * called), bounds the call by `backend.timeoutMs` (+ a small grace), and
 * tells `hooks.succeeded` when the backend answered. `call` makes the
 * actual call (`apply` or `applyBatch`); `request` is what the hooks see.
 */
export async function callBackend<T>(backend: Backend, request: ApplyRequest, hooks: OnErrorHandler | undefined, call: () => Promise<T>): Promise<T> {
  if (hooks?.preempt !== undefined) {
    const reason = hooks.preempt(request, backend);
    if (reason !== undefined) throw reason;
  }
  const decisions = await bounded(backend, call());
  hooks?.succeeded?.(request, backend);
  return decisions;
}
