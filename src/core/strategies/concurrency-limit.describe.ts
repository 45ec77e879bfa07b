/**
 * `ConcurrencyLimitStrategy.describe` (kept beside the strategy, owned with
 * it): units in flight, leases held, and when the next one expires. Takes
 * the leases structurally so it imports nothing from the strategy.
 */
import type { Rate } from '../rate.js';
import type { StateDescription } from './strategy.js';

/** The leases of a concurrency-limit state. */
interface LeaseList {
  readonly leases: readonly { readonly expiresAt: number; readonly units: number }[];
}

/** Concurrency limit: units in flight, leases held, and when the next one expires. Pure. */
export function describeConcurrency(state: LeaseList | undefined, now: number, rate: Rate): StateDescription {
  const live = (state?.leases ?? []).filter((lease) => lease.expiresAt > now);
  const inFlight = live.reduce((sum, lease) => sum + lease.units, 0);
  const nextExpiryInMs = live.length === 0 ? 0 : Math.min(...live.map((lease) => lease.expiresAt)) - now;
  return {
    summary: `${inFlight} of ${rate.limit} in flight (${live.length} leases)${live.length ? `; the first lease expires in ${nextExpiryInMs} ms` : ''}`,
    values: { inFlight, leases: live.length, limit: rate.limit, remaining: Math.max(0, rate.limit - inFlight), nextExpiryInMs },
  };
}
