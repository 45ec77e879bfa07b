import { ConfigurationError, describeValue } from '../errors.js';

/**
 * Which errors a handler acts on: a predicate, or a list of error classes
 * (matched with `instanceof`, also against the error's `cause`, since the
 * throttle wraps foreign errors in `BackendError`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ErrorFilter = ((error: unknown) => boolean) | readonly (abstract new (...args: any[]) => unknown)[];

/** Checks an `ErrorFilter` option and returns it as a predicate; `undefined` matches every error. */
export function errorPredicate(owner: string, name: string, filter: ErrorFilter | undefined): (error: unknown) => boolean {
  if (filter === undefined) return () => true;
  if (typeof filter === 'function') return filter as (error: unknown) => boolean;
  if (!Array.isArray(filter) || filter.some((c) => typeof c !== 'function')) {
    throw new ConfigurationError(`${owner}: ${name} must be a function or a list of error classes, got ${describeValue(filter)}`);
  }
  const classes = [...filter];
  return (error) => {
    const cause = (error as { cause?: unknown } | null)?.cause;
    return classes.some((c) => error instanceof c || cause instanceof c);
  };
}
