/**
 * The value of one stored item (memcached, or any `CasStore`): the state of every rate of a hit, each
 * with the backend-clock time at which it expires (so a rate whose state is
 * older than its step's `ttlMs` reads as fresh, exactly as the in-process
 * backend drops an expired key). Text form:
 *
 *     t1|<rates>|<expiresAt>|<length>|<strategy text>|<expiresAt>|<length>|<text>...
 *
 * The strategy's text is length-prefixed, so it may hold any character.
 */
import { BackendError } from '../../errors.js';
import type { AnyStrategy } from '../../strategies/strategy.js';

/** One rate's stored state. */
export interface StoredRate {
  /** Backend-clock ms at which the state is as good as a fresh key's. */
  readonly expiresAt: number;
  readonly state: unknown;
}

const MAGIC = 't1';

/** Writes each rate's state (with `strategy.serialize`) and expiry as the item's text. */
export function encodeItem(strategy: AnyStrategy, rates: readonly StoredRate[]): string {
  let text = `${MAGIC}|${rates.length}`;
  for (const { expiresAt, state } of rates) {
    const body = strategy.serialize(state);
    text += `|${expiresAt}|${body.length}|${body}`;
  }
  return text;
}

/**
 * Reads `encodeItem`'s text back (states with `strategy.parse`). Throws
 * `BackendError` naming the item for anything else: garbage, another
 * writer's value, a different number of rates, or text `parse` refuses.
 */
export function decodeItem(strategy: AnyStrategy, key: string, text: string, rateCount: number): StoredRate[] {
  const fail = (why: string, cause?: unknown): never => {
    throw new BackendError(
      `Stored item ${JSON.stringify(key.slice(0, 80))} holds ${JSON.stringify(text.slice(0, 80))}, not Traffik state (${why})`,
      cause === undefined ? undefined : { cause },
    );
  };
  let at = 0;
  const field = (): string => {
    const end = text.indexOf('|', at);
    if (end < 0) return fail('truncated');
    const value = text.slice(at, end);
    at = end + 1;
    return value;
  };
  const integer = (): number => {
    const value = field();
    if (!/^-?\d{1,16}$/.test(value)) fail(`bad number ${JSON.stringify(value.slice(0, 20))}`);
    return Number(value);
  };
  if (field() !== MAGIC) fail('unknown format');
  const count = integer();
  if (count !== rateCount) fail(`${count} rates stored, ${rateCount} expected`);
  const rates: StoredRate[] = [];
  for (let i = 0; i < count; i++) {
    const expiresAt = integer();
    const length = integer();
    if (length < 0 || at + length > text.length) fail('truncated');
    const body = text.slice(at, at + length);
    at += length;
    if (i < count - 1) {
      if (text[at] !== '|') fail('bad separator');
      at++;
    }
    let state: unknown;
    try {
      state = strategy.parse(body);
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error), error);
    }
    rates.push({ expiresAt, state });
  }
  if (at !== text.length) fail('trailing data');
  return rates;
}
