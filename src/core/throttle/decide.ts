import { mergeStepDecisions, type Decision, type PolicyDecision, type StepDecision } from '../decision.js';
import type { Rate } from '../rate.js';

/** What the throttle adds to the strategy's verdict. */
export interface DecideSettings {
  readonly uid: string;
  readonly minWaitMs: number;
  readonly shadow: boolean;
}

/**
 * The `Decision` of one hit from its per-rate step decisions: merged (the
 * most restrictive), `retryAfterMs` raised to `minWaitMs` when denied,
 * `policies` when there are several rates, `error` when `onError` made it.
 * In shadow mode a denial becomes `allowed: true` with `shadowDenied: true`
 * and its real numbers.
 */
export function decide(settings: DecideSettings, decisions: readonly StepDecision[], rates: readonly Rate[], cost: number, key: string, error: unknown): Decision {
  const decision = decideOne(settings, decisions.length === 1 ? decisions[0]! : mergeStepDecisions(decisions), cost, key);
  if (decisions.length > 1) {
    decision.policies = decisions.map((d, i): PolicyDecision => ({ ...d, rate: rates[i]! }));
  }
  if (error !== undefined) decision.error = error;
  return decision;
}

/**
 * The `Decision` of one hit from one (merged) step decision: `retryAfterMs`
 * raised to `minWaitMs` when denied, a denial turned into a shadow denial
 * in shadow mode. `decide` and the in-process hot path both build theirs here.
 */
export function decideOne(settings: DecideSettings, step: StepDecision, cost: number, key: string): Decision {
  const decision: Decision = {
    allowed: step.allowed, limit: step.limit, remaining: step.remaining,
    retryAfterMs: !step.allowed && step.retryAfterMs < settings.minWaitMs ? settings.minWaitMs : step.retryAfterMs,
    resetAfterMs: step.resetAfterMs, delayMs: step.delayMs,
    cost, uid: settings.uid, key,
  };
  if (!decision.allowed && settings.shadow) shadowed(decision);
  return decision;
}

/** Turns a denial into a shadow denial in place: allowed, marked, numbers kept. */
export function shadowed(decision: Decision): Decision {
  decision.allowed = true;
  decision.shadowDenied = true;
  return decision;
}
