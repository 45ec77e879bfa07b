import { BackendError } from '../errors.js';

/**
 * The circuit breaker is open: the backend was not called at all. Handlers
 * of `traffik/errors` receive it (from their `preempt` hook) instead of a
 * real failure, and it is the `error` of the decisions they then make.
 */
export class CircuitOpenError extends BackendError {}
