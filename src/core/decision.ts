import type { Rate } from './rate.js';

/**
 * One rate's verdict on one hit, as a strategy's step computes it
 * (SEMANTICS.md, rule 3). All times are whole milliseconds.
 */
export interface StepDecision {
  /** True when the hit was admitted (and, for cost > 0, recorded). */
  allowed: boolean;
  /** The most units this key can ever hold at once (L, or the bucket's capacity). */
  limit: number;
  /** Whole units that could still be admitted right now, after this hit (>= 0). */
  remaining: number;
  /** 0 when allowed; when denied, the shortest wait after which the same hit is allowed; Infinity if never. */
  retryAfterMs: number;
  /** Time until the key is back to its fresh state if nothing else arrives. */
  resetAfterMs: number;
  /** Queue strategies only: how long an allowed hit waits for its turn. 0 elsewhere. */
  delayMs: number;
}

/** One rate's own decision inside a multi-rate `Decision`. */
export interface PolicyDecision extends StepDecision {
  /** The rate this decision is for. */
  rate: Rate;
}

/** What `Throttle.hit` and `Throttle.peek` return. */
export interface Decision extends StepDecision {
  /** The cost charged (0 for exempt hits). */
  cost: number;
  /** The throttle's uid. */
  uid: string;
  /** The identity key the hit was for (`"EXEMPTED"` for exempt hits). */
  key: string;
  /** True when the identity was `EXEMPTED`: nothing was checked or stored. */
  exempt?: boolean;
  /**
   * Set when a backend failure was turned into this decision by `onError`.
   * With `allowed === false` it means "the limiter's store failed", not a
   * rate limit: integrations answer "rate limiter unavailable" (503), never 429.
   */
  error?: unknown;
  /**
   * Shadow mode only (`mode: 'shadow'`): this hit would have been denied.
   * `allowed` is then true and the other numbers (`remaining`,
   * `retryAfterMs`, `limit`, `policies`) are the real ones.
   */
  shadowDenied?: true;
  /** Each rate's own decision, when the throttle has more than one rate. */
  policies?: PolicyDecision[];
}

/** The decision for a hit that is not limited at all (unlimited rate, or exempt). */
export function unlimitedStep(): StepDecision {
  return { allowed: true, limit: Infinity, remaining: Infinity, retryAfterMs: 0, resetAfterMs: 0, delayMs: 0 };
}

/**
 * Merges several rates' decisions into the most restrictive one: denied if any
 * denies, the largest `retryAfterMs` among the denying rates, `limit` and
 * `remaining` of the rate with the fewest units left, the largest
 * `resetAfterMs` and `delayMs`.
 */
export function mergeStepDecisions(decisions: readonly StepDecision[]): StepDecision {
  let binding = decisions[0]!;
  let allowed = true;
  let retryAfterMs = 0;
  let resetAfterMs = 0;
  let delayMs = 0;
  for (const d of decisions) {
    if (!d.allowed) {
      allowed = false;
      if (d.retryAfterMs > retryAfterMs) retryAfterMs = d.retryAfterMs;
    }
    if (d.remaining < binding.remaining || (d.remaining === binding.remaining && d.limit < binding.limit)) {
      binding = d;
    }
    if (d.resetAfterMs > resetAfterMs) resetAfterMs = d.resetAfterMs;
    if (d.delayMs > delayMs) delayMs = d.delayMs;
  }
  return { allowed, limit: binding.limit, remaining: binding.remaining, retryAfterMs, resetAfterMs, delayMs };
}
