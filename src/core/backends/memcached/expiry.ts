/**
 * Item expiry in memcached's terms: an expiry up to 30 days is relative
 * seconds; beyond that memcached reads it as an absolute unix time.
 */

/** memcached's boundary between relative and absolute expiry, in seconds. */
export const RELATIVE_EXPIRY_LIMIT_S = 60 * 60 * 24 * 30;
const MAX_EXPIRY = 0xffffffff;

/**
 * The expiry field for state that must be kept `ttlMs` more: whole seconds,
 * rounded up, plus 1 s because memcached's clock ticks in whole seconds (so
 * the item outlives its state, and is gone at most ~2 s after it). Beyond 30
 * days, the absolute unix time from `nowUnixMs` (the real clock, the one
 * memcached uses). Never 0 (which would mean "never expires").
 */
export function expiryField(ttlMs: number, nowUnixMs: number): number {
  if (!(ttlMs > 0)) return 1;
  if (!Number.isFinite(ttlMs)) return MAX_EXPIRY;
  const seconds = Math.ceil(ttlMs / 1000) + 1;
  if (seconds <= RELATIVE_EXPIRY_LIMIT_S) return seconds;
  return Math.min(MAX_EXPIRY, Math.ceil(nowUnixMs / 1000) + seconds);
}
