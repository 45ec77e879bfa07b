/**
 * Collision-free key building. Every part is written with its length in
 * front (`<length>:<text>`), so no choice of uid, identity or namespace can
 * produce another combination's key: uid "a" + key "b:c" and uid "a:b" + key
 * "c" give different keys. Backends add their own prefix and, where the store
 * needs it, a hash (Memcached's 250-byte limit) or a hash tag (Redis Cluster).
 *
 * Two kinds of text are replaced by a digest before they reach any store or
 * `Map`:
 * - text longer than `MAX_PLAIN_KEY_PART_LENGTH` characters: every hit then
 *   costs the same whatever the identity's length (V8 hashes strings longer
 *   than 16,383 characters all alike, so a `Map` of long keys degrades to a
 *   list), and memory per key stays bounded;
 * - text that is not well-formed UTF-16 (a lone surrogate): remote stores
 *   encode keys as UTF-8, which turns every lone surrogate into U+FFFD, so
 *   `'\uD800'`, `'\uDC00'` and `'\uFFFD'` would share one budget there.
 * The digest is SHA-256 of the text's UTF-16 code units (every JavaScript
 * string has exactly one such byte sequence), written `#<base64url>`: a plain
 * part always starts with a digit, so a digest never equals a plain part,
 * and two different texts share a key only through a SHA-256 collision.
 */
import { createHash } from 'node:crypto';

/** Longest text kept as it is in a key part; longer text is replaced by its digest. */
export const MAX_PLAIN_KEY_PART_LENGTH = 256;

/** A lone UTF-16 surrogate: a high one not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** `String.prototype.isWellFormed` where the runtime has it (Node 20+), else the same test by regular expression. */
const isWellFormed: (text: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (text) => (text as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (text) => !LONE_SURROGATE.test(text);

/** The last long text digested, and its digest: an operation often repeats one long identity (aliases of one field). */
let lastText = '';
let lastDigest = '';

/**
 * `#` + the base64url SHA-256 of `text`'s UTF-16 code units (44 characters).
 * The text is compared, not hashed, against the previous call's, so a
 * repeated long identity costs one string comparison.
 */
export function textDigest(text: string): string {
  if (text === lastText && lastDigest !== '') return lastDigest;
  const digest = `#${createHash('sha256').update(Buffer.from(text, 'utf16le')).digest('base64url')}`;
  lastText = text;
  lastDigest = digest;
  return digest;
}

/**
 * True when `text` can stand in a key as it is: at most
 * `MAX_PLAIN_KEY_PART_LENGTH` characters and well-formed UTF-16.
 */
export function isPlainKeyText(text: string): boolean {
  return text.length <= MAX_PLAIN_KEY_PART_LENGTH && isWellFormed(text);
}

/**
 * Encodes one key part: `<length>:<text>` for plain text, the digest
 * (`#<base64url>`) for long or malformed text. Injective up to SHA-256
 * collisions; the result is always well-formed and at most
 * `MAX_PLAIN_KEY_PART_LENGTH + 4` characters.
 */
export function keyPart(text: string): string {
  return isPlainKeyText(text) ? `${text.length}:${text}` : textDigest(text);
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
