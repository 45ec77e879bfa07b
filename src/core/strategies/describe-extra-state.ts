/**
 * `Strategy.describe` for the strategies beyond the eight (`Throttle.stats`):
 * each state in its own words, computed at `now` exactly as the step would
 * see it (a cost-0 step: nothing consumed). Per-hit inputs that come from the
 * context (a priority, a tier) take their defaults here. Pure.
 */
import type { Rate } from '../rate.js';
import type { AdaptiveState, AdaptiveStrategy } from './adaptive.js';
import type { ConcurrencyLimitState } from './concurrency-limit.js';
import type { CostBasedTokenBucketState, CostBasedTokenBucketStrategy } from './cost-based-token-bucket.js';
import { floorDiv } from './integer-math.js';
import type { BacklogState } from './backlog.js';
import type { PriorityStrategy } from './priority.js';
import type { QuotaWithRolloverState, QuotaWithRolloverStrategy } from './quota-with-rollover.js';
import type { StateDescription } from './strategy.js';

/** Concurrency limit: units in flight, leases held, and when the next one expires. */
export function describeConcurrency(state: ConcurrencyLimitState | undefined, now: number, rate: Rate): StateDescription {
  const live = (state?.leases ?? []).filter((lease) => lease.expiresAt > now);
  const inFlight = live.reduce((sum, lease) => sum + lease.units, 0);
  const nextExpiryInMs = live.length === 0 ? 0 : Math.min(...live.map((lease) => lease.expiresAt)) - now;
  return {
    summary: `${inFlight} of ${rate.limit} in flight (${live.length} leases)${live.length ? `; the first lease expires in ${nextExpiryInMs} ms` : ''}`,
    values: { inFlight, leases: live.length, limit: rate.limit, remaining: Math.max(0, rate.limit - inFlight), nextExpiryInMs },
  };
}

/** Priority: the shared bucket's tokens and what each level may still take. */
export function describePriority(strategy: PriorityStrategy, state: BacklogState | undefined, now: number, rate: Rate): StateDescription {
  const values: Record<string, number> = {};
  const levels: string[] = [];
  let B = 0;
  strategy.sharesPerMille.forEach((_, level) => {
    const d = strategy.step(state, now, 0, rate, [level]).decision;
    B = d.limit;
    values[`remainingLevel${level}`] = d.remaining;
    levels.push(`level ${level}: ${d.remaining}`);
  });
  const tokens = values['remainingLevel0'] ?? 0;
  return { summary: `${tokens} of ${B} tokens in the shared bucket; left per level: ${levels.join(', ')}`, values: { tokens, limit: B, ...values } };
}

/** Adaptive: the effective limit now, the window's count and when it ends. */
export function describeAdaptive(strategy: AdaptiveStrategy, state: AdaptiveState | undefined, now: number, rate: Rate): StateDescription {
  const d = strategy.step(state, now, 0, rate, strategy.signalThreshold === undefined ? [] : [strategy.signalThreshold]).decision;
  const windowEndsInMs = (floorDiv(now, rate.periodMs) + 1) * rate.periodMs - now;
  const count = d.limit - d.remaining;
  return {
    summary: `effective limit ${d.limit} of ${rate.limit}; ${count} used in this window (${d.remaining} left), which ends in ${windowEndsInMs} ms`,
    values: { effectiveLimit: d.limit, baseLimit: rate.limit, count, remaining: d.remaining, windowEndsInMs },
  };
}

/** Quota with rollover: this period's allowance (L + carry), the usage and when the period ends. */
export function describeQuota(strategy: QuotaWithRolloverStrategy, state: QuotaWithRolloverState | undefined, now: number, rate: Rate): StateDescription {
  const d = strategy.step(state, now, 0, rate).decision;
  const carry = d.limit - rate.limit;
  const used = d.limit - d.remaining;
  const periodEndsInMs = (floorDiv(now, rate.periodMs) + 1) * rate.periodMs - now;
  return {
    summary: `${used} of ${d.limit} used this period (${rate.limit} + ${carry} rolled over); the period ends in ${periodEndsInMs} ms`,
    values: { used, allowance: d.limit, carry, remaining: d.remaining, periodEndsInMs },
  };
}

/** Cost-based bucket: tokens, the recent average cost and the refill it gives. */
export function describeCostBased(
  strategy: CostBasedTokenBucketStrategy, state: CostBasedTokenBucketState | undefined, now: number, rate: Rate,
): StateDescription {
  const d = strategy.step(state, now, 0, rate).decision;
  const avg = state === undefined || d.resetAfterMs === 0 ? 1000 : state.avg;
  const refillPerMille = strategy.refillPerMille(avg);
  return {
    summary: `${d.remaining} of ${d.limit} tokens; recent average cost ${avg / 1000}, refilling at ${refillPerMille / 10}% of the rate`,
    values: { tokens: d.remaining, limit: d.limit, averageCostPerMille: avg, refillPerMille },
  };
}
