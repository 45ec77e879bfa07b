import type { ApplyRequest, Backend } from './backends/backend.js';
import { DeadlineQueue, type Expirable } from './deadline-queue.js';
import type { StepDecision } from './decision.js';
import { BackendTimeoutError, ConfigurationError, describeValue } from './errors.js';
import type { OnErrorHandler } from './on-error.js';

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
 * Marks a backend whose every call settles within its own `timeoutMs`
 * (RedisBackend: one shared deadline per hit, a timeout on every other
 * call): a throttle then adds no bound of its own, which would cost a
 * promise and a queue entry per hit (bench row "traffik fixed window" at 64
 * in flight, bench/suites/redis.ts). Internal: not part of the public API.
 */
export const BOUNDS_OWN_CALLS: unique symbol = Symbol('traffik.boundsOwnCalls');

/** True when `backend` is marked with `BOUNDS_OWN_CALLS`. */
function boundsOwnCalls(backend: Backend): boolean {
  return (backend as { [BOUNDS_OWN_CALLS]?: boolean })[BOUNDS_OWN_CALLS] === true;
}

/** One deadline queue per backend and bound: every guarded call to it shares one timer. */
const queues = new WeakMap<Backend, DeadlineQueue>();

function queueFor(backend: Backend, boundMs: number): DeadlineQueue {
  let queue = queues.get(backend);
  if (queue === undefined || queue.timeoutMs !== boundMs) {
    queue = new DeadlineQueue(boundMs);
    queues.set(backend, queue);
  }
  return queue;
}

/** One bounded call: settles its promise once, with the backend's answer or the timeout. */
class BoundedCall<T> implements Expirable {
  settled = false;
  readonly deadline: number;

  constructor(
    private readonly queue: DeadlineQueue,
    private readonly backend: Backend,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.deadline = queue.deadlineFromNow();
    queue.add(this);
  }

  expire(): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(new BackendTimeoutError(`${describeBackend(this.backend)} did not answer within ${this.queue.timeoutMs} ms`));
  }

  answered(value: T): void {
    if (this.settled) return;
    this.settled = true;
    this.queue.settle();
    this.resolve(value);
  }

  failed(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.queue.settle();
    this.reject(error);
  }
}

/**
 * `pending` (a call to `backend`), bounded by the backend's `timeoutMs` (+ a
 * small grace) when it has one: rejects with `BackendTimeoutError` then (a
 * late rejection of `pending` is absorbed). The calls to one backend share
 * one timer (a `DeadlineQueue`), not a `setTimeout` each (bench row "traffik
 * fixed window" at 64 in flight, bench/suites/redis.ts).
 */
export function bounded<T>(backend: Backend, pending: Promise<T>): Promise<T> {
  const timeoutMs = backend.timeoutMs;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || !Number.isFinite(timeoutMs) || boundsOwnCalls(backend)) return pending;
  const queue = queueFor(backend, timeoutMs + TIMEOUT_GRACE_MS);
  return new Promise<T>((resolve, reject) => {
    const call = new BoundedCall<T>(queue, backend, resolve, reject);
    pending.then((value) => call.answered(value), (error: unknown) => call.failed(error));
  });
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
