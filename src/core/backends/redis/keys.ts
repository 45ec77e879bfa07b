import { createHash } from 'node:crypto';
import { ConfigurationError, describeValue } from '../../errors.js';

/**
 * Redis key layout: `<namespace>:{<tag>}:<key>`. The tag is 16 hex digits of
 * the SHA-1 of the hit's scope (uid + identity), so every key of one hit
 * lands in one Redis Cluster slot, and nothing an identity contains (`{`,
 * `}`, newlines, 10 kB of text) can end the tag early: it is always hex.
 * The full, collision-free key (src/core/keys.ts) follows the tag, so two
 * scopes whose tags collided would still never share a key.
 */

/** Checks a Redis namespace: a non-empty string without `{` or `}` (they would move the hash tag). */
export function checkRedisNamespace(namespace: unknown): string {
  if (typeof namespace !== 'string' || namespace === '' || /[{}]/.test(namespace)) {
    throw new ConfigurationError(
      `RedisBackend: namespace must be a non-empty string without "{" or "}", got ${describeValue(namespace)}`,
    );
  }
  return namespace;
}

/** Recently used tags by scope (short scopes only), so a busy identity is not hashed on every hit. */
const recentTags = new Map<string, string>();
const RECENT_TAGS_MAX = 4096;
const CACHED_SCOPE_MAX_LENGTH = 256;

/** The hash tag of a scope: 16 lowercase hex digits. */
export function scopeTag(scope: string): string {
  let tag = recentTags.get(scope);
  if (tag === undefined) {
    tag = createHash('sha1').update(scope).digest('hex').slice(0, 16);
    if (scope.length <= CACHED_SCOPE_MAX_LENGTH) {
      if (recentTags.size >= RECENT_TAGS_MAX) recentTags.clear();
      recentTags.set(scope, tag);
    }
  }
  return tag;
}

/** The prefix of every Redis key of one scope: `<namespace>:{<tag>}:`. */
export function scopePrefix(namespace: string, scope: string): string {
  return `${namespace}:{${scopeTag(scope)}}:`;
}

/** The Redis keys of one hit, all in the scope's slot. */
export function redisKeys(namespace: string, scope: string, keys: readonly string[]): string[] {
  const prefix = scopePrefix(namespace, scope);
  return keys.map((key) => prefix + key);
}

/** CRC16-CCITT (XMODEM) table: Redis Cluster's key hash. */
const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
})();

/**
 * The Redis Cluster slot (0..16383) of every key of one scope: the CRC16 of
 * its hash tag (ASCII hex, so one byte per character), modulo 16384. Hits
 * of one slot can share one script call on a Cluster.
 */
export function scopeSlot(scope: string): number {
  const tag = scopeTag(scope);
  let crc = 0;
  for (let i = 0; i < tag.length; i++) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ tag.charCodeAt(i)) & 0xff]!;
  return crc & 16383;
}
