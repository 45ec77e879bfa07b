import { BackendConnectionError, BackendError, TraffikError } from '../../errors.js';
import { withTimeout as boundedBy } from '../../time-bounds.js';

/**
 * Turns what ioredis rejects with into Traffik's errors: a reply from the
 * server (`ReplyError`: a script error, `WRONGTYPE`, corrupt state the script
 * refused) and a `TypeError` / `RangeError` thrown while reading a reply
 * (stored text a strategy cannot parse) become `BackendError`; anything else
 * (connection refused or closed, retries exhausted, cluster slots unknown)
 * `BackendConnectionError`.
 * The original error is kept as `cause`.
 */
export function toBackendError(error: unknown, what: string): BackendError {
  if (error instanceof BackendError) return error;
  if (error instanceof TraffikError) return new BackendError(`${what}: ${error.message}`, { cause: error });
  // Redis 7 appends " script: <sha>, on @user_script:<line>." to script errors.
  const message = (error instanceof Error ? error.message : String(error)).replace(/ script: [0-9a-f]{40}, on @user_script:\d+\.$/, '');
  // HitRefused: one hit of a many-hits script, refused with the text Redis would have replied for it alone.
  if (error instanceof Error && (error.name === 'ReplyError' || error.name === 'HitRefused')) {
    const bad = /^TRAFFIK_BAD_STATE (.*)$/s.exec(message);
    if (bad) return new BackendError(`${what}: stored state of key ${bad[1]} is not what this strategy writes (overwritten?)`, { cause: error });
    return new BackendError(`${what}: Redis replied with an error: ${message}`, { cause: error });
  }
  // Thrown by our own code on a reply (a strategy's parse of stored text): bad data, not a lost connection.
  if (error instanceof TypeError || error instanceof RangeError) {
    return new BackendError(`${what}: ${message}`, { cause: error });
  }
  return new BackendConnectionError(`${what}: Redis unreachable: ${message}`, { cause: error });
}

/**
 * Resolves or rejects as `promise` does (its errors mapped by
 * `toBackendError`), or rejects with `BackendConnectionError` after
 * `timeoutMs`. A late outcome of `promise` is swallowed, so it never becomes
 * an unhandled rejection.
 */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  const mapped = promise.catch((error: unknown) => Promise.reject(toBackendError(error, what)));
  return boundedBy(mapped, timeoutMs, what, () => new BackendConnectionError(`${what}: Redis did not answer within ${timeoutMs} ms`));
}
