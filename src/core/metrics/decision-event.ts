import type { Decision } from '../decision.js';

/**
 * How a hit ended, for metrics: `'allowed'` / `'denied'` by the backend
 * (`'denied'` also for a shadow denial: `decision.shadowDenied`),
 * `'exempt'` (the identity was `EXEMPTED`), or `'error'`: the backend did not
 * decide (it failed, timed out, or an open circuit skipped it) and `onError`
 * produced the decision, or the hit rejected.
 */
export type DecisionOutcome = 'allowed' | 'denied' | 'exempt' | 'error';

/** What a throttle's `onDecision` listener receives after each hit. */
export interface DecisionEvent {
  /** The throttle's uid. */
  readonly uid: string;
  /** The identity key (`"EXEMPTED"` for exempt hits). */
  readonly key: string;
  /** How the hit ended. */
  readonly outcome: DecisionOutcome;
  /** The decision; `undefined` when the hit rejected (`onError: 'raise'`, a handler threw, a bad key or cost). */
  readonly decision: Decision | undefined;
  /** The backend failure behind an `'error'` outcome (the decision's `error`, or the rejection). */
  readonly error: unknown;
  /**
   * Wall time from the call of `hit` to its decision, in ms (fractional), on
   * the sampled hits (the throttle's `timingSampleEvery`: every hit on a
   * remote backend, 1 in 64 in-process by default);
   * `undefined` on the others.
   */
  readonly durationMs: number | undefined;
}

/**
 * A throttle's `onDecision` option: called synchronously once per decided hit
 * (`hit`, `enforce`, each hit of `hitMany`; never for `peek` or `stats`),
 * after the decision is made and before the caller sees it. It must be cheap
 * (it runs on the hot path). The event object is reused from hit to hit (no
 * allocation per hit): read it during the call and copy what you keep.
 * Whatever it throws is caught and dropped, with one `process.emitWarning`
 * per throttle, so a metrics bug never fails a hit.
 */
export type DecisionListener = (event: DecisionEvent) => void;

/** The outcome of a decision that `hit` resolved with. */
export function outcomeOf(decision: Decision): DecisionOutcome {
  if (decision.error !== undefined) return 'error';
  if (decision.exempt === true) return 'exempt';
  return decision.allowed && decision.shadowDenied !== true ? 'allowed' : 'denied';
}
