/**
 * Item keys of `casBackend` (and so of memcached). One item holds every
 * rate of one hit (all of a throttle's rates for one identity), so one
 * compare-and-swap covers the whole hit. Keys follow memcached's rules,
 * which `CasStore` promises every store (at most 250 bytes, printable ASCII
 * without spaces) whatever the identity: short, plain ones are kept as they
 * are (readable in `stats cachedump`), others are replaced by the SHA-256 of
 * their UTF-16 code units (so lone surrogates never collide, as they would
 * once turned into UTF-8). The namespace is length-prefixed and the two forms are tagged
 * (`:r:` raw, `:h:` hashed), so no two throttles, identities or namespaces
 * share an item.
 */
import { createHash } from 'node:crypto';
import { ConfigurationError, describeValue } from '../../errors.js';
import { keyPart } from '../../keys.js';

/** The longest item key (memcached's limit), in bytes. */
export const MAX_KEY_BYTES = 250;
/** Longest namespace accepted, so that a hashed key always fits. */
export const MAX_NAMESPACE_LENGTH = 100;

const PRINTABLE = /^[\x21-\x7e]+$/;

/** Returns `namespace` when an item key can hold it; throws `ConfigurationError` naming it otherwise. */
export function checkNamespace(owner: string, namespace: unknown): string {
  if (typeof namespace !== 'string' || !PRINTABLE.test(namespace) || namespace.length > MAX_NAMESPACE_LENGTH) {
    throw new ConfigurationError(
      `${owner}: namespace must be 1 to ${MAX_NAMESPACE_LENGTH} printable ASCII characters without spaces, got ${describeValue(namespace)}`,
    );
  }
  return namespace;
}

/**
 * The item key of one hit's keys (one per rate, as the throttle built them).
 * Deterministic and collision-free: different `keys` lists give different
 * items (up to SHA-256 collisions).
 */
export function itemKey(namespace: string, keys: readonly string[]): string {
  let body = '';
  for (const key of keys) body += keyPart(key);
  const prefix = keyPart(namespace);
  const raw = `${prefix}:r:${body}`;
  if (raw.length <= MAX_KEY_BYTES && PRINTABLE.test(raw)) return raw;
  return `${prefix}:h:${createHash('sha256').update(body, 'utf16le').digest('hex')}`;
}
