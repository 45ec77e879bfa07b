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
  const merged = decisions.length === 1 ? decisions[0]! : mergeStepDecisions(decisions);
  const decision: Decision = {
    allowed: merged.allowed, limit: merged.limit, remaining: merged.remaining,
    retryAfterMs: merged.retryAfterMs, resetAfterMs: merged.resetAfterMs, delayMs: merged.delayMs,
    cost, uid: settings.uid, key,
  };
  if (!decision.allowed && decision.retryAfterMs < settings.minWaitMs) decision.retryAfterMs = settings.minWaitMs;
  if (decisions.length > 1) {
    decision.policies = decisions.map((d, i): PolicyDecision => ({ ...d, rate: rates[i]! }));
  }
  if (error !== undefined) decision.error = error;
  if (!decision.allowed && settings.shadow) shadowed(decision);
  return decision;
}

/** Turns a denial into a shadow denial in place: allowed, marked, numbers kept. */
export function shadowed(decision: Decision): Decision {
  decision.allowed = true;
  decision.shadowDenied = true;
  return decision;
}
