/**
 * Runs a strategy's step over a hand-written trace the way every backend
 * does for one rate (SEMANTICS.md rule 1: only allowed hits with cost > 0,
 * or a forced store, change the state), so tests can check each decision.
 */
import { Rate } from '../../../src/core/rate.js';
import type { StepDecision } from '../../../src/core/decision.js';
import type { AnyStrategy, StepArgs } from '../../../src/core/strategies/strategy.js';

/** One hit of a trace: at time `t` (ms), of `cost`, with step `args`. */
export interface TraceHit {
  t: number;
  cost: number;
  args?: StepArgs;
}

/** A stepper holding one key's state; `hit` returns the decision and keeps the state as a backend would. */
export function stepper(strategy: AnyStrategy, rateText: string) {
  const rate = Rate.parse(rateText);
  let state: unknown;
  let expiresAt = Infinity;
  return {
    rate,
    get state(): unknown {
      return state;
    },
    hit(t: number, cost = 1, args: StepArgs = []): StepDecision {
      if (t >= expiresAt) state = undefined;
      const outcome = strategy.step(state, t, cost, rate, args);
      if (outcome.decision.allowed && (cost > 0 || outcome.store === true)) {
        // Round-trip through text, as a remote store does.
        state = strategy.parse(strategy.serialize(outcome.state));
        expiresAt = t + outcome.ttlMs;
      }
      return outcome.decision;
    },
  };
}

/** `[allowed, remaining, retryAfterMs]` of a decision, for compact expectations. */
export function brief(d: StepDecision): [boolean, number, number] {
  return [d.allowed, d.remaining, d.retryAfterMs];
}
