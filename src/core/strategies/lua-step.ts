import type { Rate } from '../rate.js';

/**
 * A strategy's step written in Lua, for backends that run scripts inside the
 * store (Redis). It must decide exactly as the TypeScript `step` does: same
 * arithmetic, same order, integer results (use the prelude's `floorDiv` /
 * `ceilDiv`, the twins of integer-math.ts).
 *
 * `source` is the body of a Lua function (it runs once per script call, in its
 * own scope) that ends with
 * `return { parse = parse, step = step, serialize = serialize }`:
 * - `parse(text)` -> state table, or `nil` for text `serialize` never writes
 *   (the backend then reports a `BackendError`);
 * - `step(state, now, cost, L, P, params, args, op)` -> `allowed, limit, remaining,
 *   retryAfterMs, resetAfterMs, delayMs, newState, ttlMs, store`, where
 *   `state` is `nil` for a fresh key, `params` is `params(rate)` below, `args`
 *   the hit's `StepArgs` as strings (call `tonumber` on numeric ones), `op`
 *   the `StepOp` as a string (`'hit'`, `'charge'` or `'refund'`),
 *   `retryAfterMs` is `INF` (`math.huge`) for "never", and `store` is true only
 *   for a step that must be stored at cost 0 (as `StepOutcome.store`);
 *   an optional tenth value, `sameExpiry`, true tells the single-hit fast
 *   path that the stored key already expires when the new state must (a
 *   window strategy in the same window: the expiry is then the same
 *   absolute time whichever process or version wrote the key), so it
 *   writes with KEEPTTL, which costs Redis less than PX (bench row
 *   "traffik fixed window" at 64 in flight); never true for a fresh key;
 * - `serialize(state)` -> the same text the TypeScript `serialize` writes, so
 *   either side can read the other's state (format integers with `int(x)`).
 * - optionally `load(key)` -> state or nil and `save(key, state, ttlMs)`: a
 *   twin that keeps its state in Redis its own way (worked on in place, read
 *   in part) brings both, and the drivers call them instead of GET + `parse`
 *   and SET PX + `serialize`; its `step` may then read the key (never write
 *   it). What `save` leaves must be text the TypeScript `parse` reads.
 *
 * The prelude in scope: `floorDiv(a, b)`, `ceilDiv(a, b)`, `int(x)`,
 * `mathMin`, `mathMax`, `mathFloor` (`math.min` and co. as locals: no
 * global lookup per call),
 * `parseIntegers(text, count)` (nil unless `count` comma-separated safe
 * integers; `count` nil for any number), `parsePair(text)` /
 * `parseTriple(text)` (the integers, or nil), `INF`.
 */
export interface LuaStep {
  /** The Lua source described above. Scripts are cached by this text: keep it constant. */
  readonly source: string;
  /**
   * Numbers the Lua step needs beyond L and P for one rate (the strategy's
   * options resolved against the rate, e.g. a bucket's capacity). Must
   * return the same count for every rate, and the same numbers for the
   * same rate: the Redis backend asks once per rate and writes them into
   * its single-hit script. Omitted: no params.
   */
  params?(rate: Rate): readonly number[];
}
