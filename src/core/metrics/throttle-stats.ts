import type { Backend } from '../backends/backend.js';
import type { Decision } from '../decision.js';
import type { Rate } from '../rate.js';
import type { AnyStrategy, StateDescription } from '../strategies/strategy.js';

/** One rate's part of `ThrottleStats`. */
export interface RateStats {
  /** The rate, e.g. `100/minute`. */
  readonly rate: Rate;
  /**
   * The stored state in words (`strategy.describe`): a fresh key is
   * described too ("10 of 10 left"). `undefined` when the backend has no
   * `read`, the strategy no `describe`, or the read failed (see `error`).
   */
  readonly state: StateDescription | undefined;
}

/** What `Throttle.stats(key)` returns. */
export interface ThrottleStats {
  /** The throttle's uid. */
  readonly uid: string;
  /** The identity key. */
  readonly key: string;
  /** The decision a hit of the throttle's cost would get now (a peek; nothing consumed). */
  readonly decision: Decision;
  /** One entry per limited rate, in the throttle's order (empty for an exempt or unlimited key). */
  readonly rates: readonly RateStats[];
  /** Set when `Backend.read` failed; the states are then `undefined`. */
  readonly error?: unknown;
}

/**
 * Reads `keys` through `backend.read` (when it has one) and describes each
 * state with `strategy.describe` (when it has one). Never rejects: a failed
 * read is reported in `error`.
 */
export async function describeThrottleState(
  backend: Backend, strategy: AnyStrategy, scope: string, rates: readonly Rate[], keys: readonly string[], decision: Decision,
): Promise<ThrottleStats> {
  const base = { uid: decision.uid, key: decision.key, decision };
  if (backend.read === undefined || strategy.describe === undefined) {
    return { ...base, rates: rates.map((rate) => ({ rate, state: undefined })) };
  }
  try {
    const { now, states } = await backend.read({ strategy, scope, keys });
    return { ...base, rates: rates.map((rate, i) => ({ rate, state: strategy.describe!(states[i], now, rate) })) };
  } catch (error) {
    return { ...base, rates: rates.map((rate) => ({ rate, state: undefined })), error };
  }
}
