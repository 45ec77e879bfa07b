/**
 * Collision-free key building. Every part is written with its length in
 * front (`<length>:<text>`), so no choice of uid, identity or namespace can
 * produce another combination's key: uid "a" + key "b:c" and uid "a:b" + key
 * "c" give different keys. Backends add their own prefix and, where the store
 * needs it, a hash (Memcached's 250-byte limit) or a hash tag (Redis Cluster).
 */

/** Encodes one key part as `<length>:<text>`. */
export function keyPart(text: string): string {
  return `${text.length}:${text}`;
}

/**
 * The scope of one identity in one throttle: every key one hit touches starts
 * with it, so backends can keep them together (one Redis Cluster slot).
 */
export function scopeKey(uid: string, identity: string): string {
  return keyPart(uid) + keyPart(identity);
}

/** The suffix that tells apart a throttle's strategies and rates under one scope. */
export function stateSuffix(strategyName: string, rate: { toString(): string }): string {
  return keyPart(strategyName) + keyPart(rate.toString());
}
