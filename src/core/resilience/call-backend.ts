import type { ApplyRequest, Backend } from '../backends/backend.js';
import type { OnErrorHandler } from '../on-error.js';
import { bounded } from './bounded-apply.js';

/** Extra time the throttle's guard gives a backend past its own `timeoutMs`, so the backend's own (more precise) timeout error wins. */
export const TIMEOUT_GRACE_MS = 25;

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
