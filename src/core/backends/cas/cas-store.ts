/**
 * The interface a key-value store implements to hold Traffik's limit state
 * (`casBackend` turns it into an exact `Backend`): read a value with its
 * version, write only if the version is unchanged, create only if absent,
 * delete. Postgres, DynamoDB, etcd, Durable Objects, memcached all offer it.
 */

/** A stored value and the version it was read at. */
export interface CasEntry<Version = string> {
  /** The text last written (`compareAndSet` / `add`), unchanged. */
  readonly value: string;
  /**
   * What identifies this write of the key: any value your store uses (a
   * string by default), handed back to `compareAndSet` untouched. Must never
   * repeat for a key, even after the key was deleted or expired and written
   * again (use a store-wide counter, a timestamp with a tiebreak, a UUID):
   * a repeated version would let a stale write through.
   */
  readonly version: Version;
}

/**
 * What `compareAndSet` and `add` may return instead of `true`: the version
 * the store gave the write. Then `casBackend` keeps it, and the next hit on
 * the key from this process skips the read (one round trip per hit).
 */
export interface CasWritten<Version = string> {
  readonly version: Version;
}

/**
 * A key-value store with compare-and-set: all `casBackend` needs. Keys are
 * printable ASCII without spaces, at most 250 characters; values are text
 * (ASCII for the built-in strategies). Every method may be async, and may
 * reject: `casBackend` hands a failure to `onError` as a `BackendError`
 * (an error that already is one is kept, e.g. `BackendConnectionError`).
 *
 * Guarantees `casBackend` relies on (`traffik/testing`'s conformance kit
 * checks them through the backend):
 * - `compareAndSet` is atomic: it writes only when the key still holds the
 *   write `version` names, and at most one of several concurrent writers
 *   with the same version succeeds;
 * - `add` is atomic: it writes only when the key is absent (or expired);
 * - versions never repeat for a key (see `CasEntry.version`);
 * - a value is kept at least `ttlMs` after its write (it may be kept longer;
 *   a store that evicts earlier, like memcached under memory pressure, lets
 *   the limit start afresh for that key).
 */
export interface CasStore<Version = string> {
  /** The key's value and version, or `undefined` when it is absent or expired. */
  get(key: string): Promise<CasEntry<Version> | undefined> | CasEntry<Version> | undefined;
  /**
   * Writes `value` (kept at least `ttlMs`, a whole number > 0) only if the key
   * still holds the write `version` names. `false` when it changed, was
   * deleted or expired; `true` (or the new version) when written.
   */
  compareAndSet(key: string, value: string, version: Version, ttlMs: number): Promise<boolean | CasWritten<Version>> | boolean | CasWritten<Version>;
  /**
   * Writes `value` (kept at least `ttlMs`) only if the key is absent or
   * expired. `false` when it exists; `true` (or the new version) when written.
   */
  add(key: string, value: string, ttlMs: number): Promise<boolean | CasWritten<Version>> | boolean | CasWritten<Version>;
  /** Removes the key; a missing key is fine. */
  delete(key: string): Promise<void> | void;
  /** Optional: releases the store's connections; `casBackend`'s `close()` calls it once. */
  close?(): Promise<void> | void;
}
