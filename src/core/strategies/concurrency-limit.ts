import { checkOptionNames, checkWholeNumber } from '../options.js';
import type { Rate } from '../rate.js';
import { CONCURRENCY_LIMIT_LUA } from './concurrency-limit.lua.js';
import { describeConcurrency } from './concurrency-limit.describe.js';
import type { LuaStep } from './lua-step.js';
import type { StateDescription, StepArgs, StepOutcome, Strategy } from './strategy.js';

/** One slot held: `units` of the limit, until `expiresAt` (ms), under lease `id` ("" = anonymous). */
export interface Lease {
  readonly id: string;
  readonly expiresAt: number;
  readonly units: number;
}

/** Concurrency-limit state: the leases held, oldest expiry first. */
export interface ConcurrencyLimitState {
  readonly leases: readonly Lease[];
}

/** Options of `ConcurrencyLimitStrategy`. */
export interface ConcurrencyLimitOptions {
  /**
   * How long a slot is held when its holder never releases it (a crashed
   * process, a lost connection), in whole ms >= 1. Default: the rate's period,
   * so `"2/30s"` means "2 in flight, a forgotten slot frees after 30 s".
   */
  leaseMs?: number;
}

/** The per-hit operation of a concurrency limit, carried in `ApplyRequest.args[0]`. */
export type LeaseOperation = 'acquire' | 'release';

/** Lease ids: 1-64 characters of [A-Za-z0-9_-]. */
const LEASE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A strategy whose hits take slots that are given back later (see
 * `Throttle.acquire`). Implemented by `ConcurrencyLimitStrategy`; wrappers
 * that scale a base strategy forward it.
 */
export interface LeaseStrategy {
  /** The step args that acquire a slot under `leaseId`, for the hit's `context` and identity `key`. */
  acquireArgs(leaseId: string, context?: unknown, key?: string): StepArgs;
  /** The step args that give back the slot held under `leaseId` (same `context` and `key` as the acquire). */
  releaseArgs(leaseId: string, context?: unknown, key?: string): StepArgs;
}

/** True when `strategy` hands out slots that `Throttle.acquire` must release. */
export function isLeaseStrategy(strategy: unknown): strategy is LeaseStrategy {
  return (
    strategy !== null && typeof strategy === 'object' &&
    typeof (strategy as LeaseStrategy).acquireArgs === 'function' &&
    typeof (strategy as LeaseStrategy).releaseArgs === 'function'
  );
}

/**
 * Concurrency limit: at most `L` units in flight per key (`L` = the rate's
 * limit; each hit holds its cost in units, 1 by default). Exact rule, with
 * `live` = the leases whose `expiresAt > now` and `used` = the sum of their
 * units:
 * - acquire (args `['acquire', id]`, or no args: an anonymous lease that only
 *   expires), cost c > 0: allowed iff `used - held(id) + c <= L`, where
 *   `held(id)` is what lease `id` already holds (so re-acquiring an id renews
 *   it: a heartbeat). Then lease `id` holds c units until `now + leaseMs`.
 * - release (args `['release', id]`): always allowed; lease `id` is dropped.
 *   It is stored even though its cost is 0 (`store: true`). Releasing an
 *   unknown or expired id changes nothing. Idempotent.
 * - cost 0: allowed, changes nothing.
 * - `remaining = L - used` after the hit; `resetAfterMs` = time until the
 *   last lease expires (0 when none is held).
 * - denied, `c <= L`: `retryAfterMs` = time until enough leases expire for
 *   `used + c <= L` (a release frees a slot sooner); Infinity when `c > L`.
 * - Memory per key is O(L): at most L leases are held.
 */
export class ConcurrencyLimitStrategy implements Strategy<ConcurrencyLimitState>, LeaseStrategy {
  readonly name: string;
  /** The configured lease time, or undefined for "the rate's period". */
  readonly leaseMs: number | undefined;
  /** The Lua twin run by the Redis backend (concurrency-limit.lua.ts): the lease time as its param. */
  readonly lua: LuaStep | undefined = {
    source: CONCURRENCY_LIMIT_LUA.source,
    params: (rate: Rate) => [this.leaseMs ?? rate.periodMs],
  };

  constructor(options: ConcurrencyLimitOptions = {}) {
    checkOptionNames('ConcurrencyLimitStrategy', options, ['leaseMs']);
    this.leaseMs = options.leaseMs === undefined ? undefined : checkWholeNumber('ConcurrencyLimitStrategy', 'leaseMs', options.leaseMs, 1);
    this.name = `concurrency:${this.leaseMs ?? 'P'}`;
  }

  acquireArgs(leaseId: string): StepArgs {
    return ['acquire', checkLeaseId(leaseId)];
  }

  releaseArgs(leaseId: string): StepArgs {
    return ['release', checkLeaseId(leaseId)];
  }

  step(
    state: ConcurrencyLimitState | undefined, now: number, cost: number, rate: Rate, args?: StepArgs,
  ): StepOutcome<ConcurrencyLimitState> {
    const L = rate.limit;
    const leaseMs = this.leaseMs ?? rate.periodMs;
    const op = args?.[0] ?? 'acquire';
    const id = args?.[1] === undefined ? '' : String(args[1]);
    const live = (state?.leases ?? []).filter((lease) => lease.expiresAt > now);
    if (op === 'release') {
      const kept = id === '' ? live : live.filter((lease) => lease.id !== id);
      return this.allowed(kept, now, L, kept.length !== (state?.leases.length ?? 0));
    }
    if (op !== 'acquire') throw new TypeError(`ConcurrencyLimitStrategy: unknown operation ${JSON.stringify(op)}`);
    const others = id === '' ? live : live.filter((lease) => lease.id !== id);
    const used = sumUnits(others);
    if (cost === 0) return this.allowed(live, now, L, false);
    if (used + cost <= L) {
      const lease: Lease = { id, expiresAt: now + leaseMs, units: cost };
      return this.allowed(insertByExpiry(others, lease), now, L, true);
    }
    // Denied: wait for the earliest leases to expire until the hit fits.
    let retryAfterMs = Infinity;
    if (cost <= L) {
      let freed = used;
      for (const lease of [...others].sort((a, b) => a.expiresAt - b.expiresAt)) {
        freed -= lease.units;
        if (freed + cost <= L) {
          retryAfterMs = lease.expiresAt - now;
          break;
        }
      }
    }
    const liveUsed = sumUnits(live);
    return {
      decision: {
        allowed: false, limit: L, remaining: Math.max(0, L - liveUsed),
        retryAfterMs, resetAfterMs: lastExpiry(live, now), delayMs: 0,
      },
      state: { leases: live },
      ttlMs: Math.max(1, lastExpiry(live, now)),
    };
  }

  private allowed(leases: readonly Lease[], now: number, L: number, store: boolean): StepOutcome<ConcurrencyLimitState> {
    const resetAfterMs = lastExpiry(leases, now);
    const outcome: StepOutcome<ConcurrencyLimitState> = {
      decision: { allowed: true, limit: L, remaining: Math.max(0, L - sumUnits(leases)), retryAfterMs: 0, resetAfterMs, delayMs: 0 },
      state: { leases },
      ttlMs: Math.max(1, resetAfterMs),
    };
    if (store) outcome.store = true;
    return outcome;
  }

  describe(state: ConcurrencyLimitState | undefined, now: number, rate: Rate): StateDescription {
    return describeConcurrency(state, now, rate);
  }

  /** `c1` then `|expiresAt,units,id` per lease. */
  serialize(state: ConcurrencyLimitState): string {
    let text = 'c1';
    for (const lease of state.leases) text += `|${lease.expiresAt},${lease.units},${lease.id}`;
    return text;
  }

  parse(text: string): ConcurrencyLimitState {
    if (typeof text !== 'string' || !/^c1(\|-?\d+,\d+,[A-Za-z0-9_-]{0,64})*$/.test(text)) {
      throw new TypeError(`${this.name}: stored state ${JSON.stringify(String(text).slice(0, 80))} is not a lease list`);
    }
    const leases: Lease[] = [];
    for (const part of text.split('|').slice(1)) {
      const [expiresAt, units, id] = part.split(',') as [string, string, string];
      const lease = { id, expiresAt: Number(expiresAt), units: Number(units) };
      if (!Number.isSafeInteger(lease.expiresAt) || !Number.isSafeInteger(lease.units) || lease.units < 1) {
        throw new TypeError(`${this.name}: stored lease ${JSON.stringify(part)} is out of range`);
      }
      leases.push(lease);
    }
    return { leases };
  }
}

function checkLeaseId(leaseId: string): string {
  if (typeof leaseId !== 'string' || !LEASE_ID.test(leaseId)) {
    throw new TypeError(`ConcurrencyLimitStrategy: lease id must be 1-64 characters of [A-Za-z0-9_-], got ${JSON.stringify(String(leaseId).slice(0, 80))}`);
  }
  return leaseId;
}

function sumUnits(leases: readonly Lease[]): number {
  let sum = 0;
  for (const lease of leases) sum += lease.units;
  return sum;
}

function lastExpiry(leases: readonly Lease[], now: number): number {
  let last = now;
  for (const lease of leases) if (lease.expiresAt > last) last = lease.expiresAt;
  return last - now;
}

/** A new list with `lease` inserted after every lease expiring no later (stable, oldest expiry first). */
function insertByExpiry(leases: readonly Lease[], lease: Lease): Lease[] {
  const out = leases.slice();
  let i = out.length;
  while (i > 0 && out[i - 1]!.expiresAt > lease.expiresAt) i--;
  out.splice(i, 0, lease);
  return out;
}
