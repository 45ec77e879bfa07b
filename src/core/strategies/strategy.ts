import type { StepDecision } from '../decision.js';
import type { Rate } from '../rate.js';
import type { LuaStep } from './lua-step.js';

export type { LuaStep } from './lua-step.js';

/** What a strategy's step returns: the decision and the state after the hit. */
export interface StepOutcome<S> {
  /** The verdict for this rate (SEMANTICS.md rule 3). */
  decision: StepDecision;
  /**
   * The state after the hit: the new state when the hit is allowed, the
   * refreshed state (time applied, nothing consumed) when it is denied.
   * Backends store it only when the hit is allowed with a cost > 0.
   */
  state: S;
  /** How long the stored state must be kept, in ms (> 0); after that the key is fresh again. */
  ttlMs: number;
  /**
   * Set true to have an allowed step's state stored even at cost 0 (for
   * example a concurrency limit's release). Built-in strategies leave it unset.
   */
  store?: boolean;
}

/**
 * What a step does with its cost (SEMANTICS.md, "Giving units back, and
 * charging after the fact"):
 * - `'hit'` (the default): admit the cost if it fits, else deny and change nothing;
 * - `'charge'`: a forced charge, recorded even past the limit (always allowed);
 * - `'refund'`: give back up to `cost` units admitted earlier, never more than
 *   the state holds (always allowed).
 * Backends store the state of a charge or refund like an allowed hit's (cost > 0).
 */
export type StepOp = 'hit' | 'charge' | 'refund';

/**
 * Per-hit arguments a strategy derives from the hit's context (a priority, a
 * tier, a lease id), passed to its step and, on Redis, to its Lua twin.
 */
export type StepArgs = readonly (number | string)[];

/**
 * A rate-limiting algorithm as one pure function. Implement this interface to
 * write your own strategy; every backend runs `step` atomically (in-process
 * directly, Memcached with compare-and-swap, Redis with a Lua twin for the
 * built-ins and an optimistic compare-and-set for custom strategies).
 *
 * Contract: `step` is deterministic in its arguments, never mutates `state`,
 * allows every hit of cost 0 without changing anything, and never allows a
 * hit it reports as denied. `serialize`/`parse` round-trip a state exactly.
 */
export interface Strategy<S = unknown> {
  /**
   * A stable name, part of every storage key (so two strategies never read
   * each other's state). Include any option that changes how state is read.
   */
  readonly name: string;
  /**
   * The step: `state` is `undefined` for a key never seen (or expired);
   * `now` is the backend's clock in whole ms; `cost` an integer >= 0; `rate`
   * a limited rate (never "0/0"); `args` what `argsFor` returned (empty
   * when the strategy has no `argsFor`); `op` what to do with the cost
   * (`'hit'` when omitted; `'charge'` and `'refund'` only reach strategies
   * that set `supportsChargeAndRefund`).
   */
  step(state: S | undefined, now: number, cost: number, rate: Rate, args?: StepArgs, op?: StepOp): StepOutcome<S>;
  /**
   * True when `step` (and its Lua twin) implement the `'charge'` and
   * `'refund'` ops. `Throttle.charge` / `Throttle.refund` refuse, with a
   * `ConfigurationError` naming the strategy, a strategy without it.
   */
  readonly supportsChargeAndRefund?: boolean;
  /**
   * True when a denial is stable until its retry time (SEMANTICS.md,
   * "Remembering denials"): a hit of cost `c` denied with `retryAfterMs = r`
   * means every hit of cost >= `c` with the same `args` is denied for the
   * next `r` ms, whatever other processes do, unless a `reset` or `refund`
   * intervenes. Backends may then answer such hits locally, without a round
   * trip. Leave unset for strategies whose state can move toward allowing
   * other than by time (a released concurrency slot) or whose limit moves
   * with time or load.
   */
  readonly denialsHoldUntilRetry?: boolean;
  /**
   * Optional: computes the step's per-hit `args` from the hit's key and
   * context, once per hit, before the backend is called. Throwing rejects
   * the hit with that error (nothing is stored).
   */
  argsFor?(key: string, context: unknown): StepArgs;
  /** Writes a state as text for remote stores. */
  serialize(state: S): string;
  /** Reads `serialize`'s text back. Throws `TypeError` for text it did not write. */
  parse(text: string): S;
  /**
   * Optional: the state in words, for `Throttle.stats` (count, tokens,
   * level, theoretical arrival time ...). `state` is `undefined` for a fresh
   * key; `now` is the backend's clock. Pure: changes nothing.
   */
  describe?(state: S | undefined, now: number, rate: Rate): StateDescription;
  /**
   * Optional check of a rate at construction (for example that the strategy's
   * products stay exact). Throws `ConfigurationError` naming the value.
   */
  validateRate?(rate: Rate): void;
  /**
   * Optional check of a throttle's whole list of rates at construction (after
   * `validateRate` on each), for options that must make sense across rates
   * (a single burst size given to several rates). Throws `ConfigurationError`
   * naming the value and the fix.
   */
  validateRates?(rates: readonly Rate[]): void;
  /**
   * Optional: the step as Lua (see `LuaStep`), so Redis runs it inside one
   * script, one round trip per hit. Without it, Redis runs `step` here with
   * an optimistic compare-and-set (correct, but two round trips and retries
   * under contention). A subclass that overrides `step` must override this
   * too (or set it to `undefined`).
   */
  readonly lua?: LuaStep | undefined;
}

/** A strategy state described for people (`Strategy.describe`, `Throttle.stats`). */
export interface StateDescription {
  /** One sentence, e.g. "3 of 10 used in this window, which ends in 4200 ms". */
  summary: string;
  /** The same numbers by name (count, tokens, level, tatInMs ...), for dashboards and tests. */
  values: Record<string, number>;
}

/** Any strategy, whatever its state type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStrategy = Strategy<any>;

/**
 * Reads `count` comma-separated integers written by a strategy's `serialize`.
 * Throws `TypeError` naming the strategy and the text for anything else.
 */
export function parseIntegers(strategy: string, text: string, count?: number): number[] {
  if (typeof text !== 'string' || !/^-?\d+(,-?\d+)*$/.test(text)) {
    throw new TypeError(`${strategy}: stored state ${JSON.stringify(String(text).slice(0, 80))} is not a list of integers`);
  }
  const values = text.split(',').map(Number);
  if (count !== undefined && values.length !== count) {
    throw new TypeError(`${strategy}: stored state ${JSON.stringify(text.slice(0, 80))} has ${values.length} fields, expected ${count}`);
  }
  for (const v of values) {
    if (!Number.isSafeInteger(v)) {
      throw new TypeError(`${strategy}: stored state ${JSON.stringify(text.slice(0, 80))} holds a number out of range`);
    }
  }
  return values;
}
