import type { Decision } from './decision.js';
import type { Rate } from './rate.js';
import { renewIntervalMs, type LeaseStrategy } from './strategies/concurrency-limit.js';
import type { StepArgs } from './strategies/strategy.js';
import type { HitOptions } from './throttle.js';

/** Options of `Throttle.acquire`: those of `hit`, plus where a failed release is reported. */
export interface AcquireOptions<Ctx = unknown> extends HitOptions<Ctx> {
  /**
   * Called with the error when `release()` cannot reach the backend. Default:
   * the throttle's (or backend's) `onError` when it is a handler (its result
   * is ignored); otherwise the error is dropped and the slot frees itself when
   * its lease expires. Whatever this throws is ignored: `release()` never rejects.
   */
  onReleaseError?: (error: unknown) => void;
  /**
   * Renew the slot while it is held (default true): a heartbeat every third
   * of the lease keeps a long-running holder's slot from lapsing, so the
   * limit is never exceeded by live holders. The slot then frees when
   * `release()` is called, or a lease after the holder's process died. A
   * failed heartbeat goes where a failed release goes; the next one retries.
   * With `false`, the slot lapses after one lease even while work goes on.
   */
  heartbeat?: boolean;
}

/** What `Throttle.acquire` resolves with. */
export interface Acquired {
  /** The decision of the acquiring hit (as `hit` returns it). */
  readonly decision: Decision;
  /**
   * Gives the slot back and stops its heartbeat. Idempotent (later calls
   * return the first call's promise) and never rejects; a no-op when the hit
   * was denied, exempt, or its strategy holds no slots. An `Acquired` dropped
   * without `release()` stops its heartbeat once garbage-collected, and its
   * slot lapses a lease later.
   */
  release(): Promise<void>;
}

/** How a held slot talks to the backend: give it back, and (optionally) renew it every `renewEveryMs`. */
export interface LeaseCalls {
  release: () => Promise<void>;
  renew?: () => Promise<void>;
  renewEveryMs?: number;
}

const NOTHING_TO_RELEASE = (): Promise<void> => Promise.resolve();

/** An `Acquired` whose `release` does nothing. */
export function acquiredWithoutLease(decision: Decision): Acquired {
  return { decision, release: NOTHING_TO_RELEASE };
}

/** Stops the heartbeat of an `Acquired` that was dropped without `release()`. */
const dropped = new FinalizationRegistry<ReturnType<typeof setInterval>>((timer) => clearInterval(timer));

/**
 * An `Acquired` whose `release` runs `calls.release` once, and that renews
 * the slot every `calls.renewEveryMs` until then (one heartbeat at a time; an
 * unref'd timer, so a held slot never keeps the process alive). Failures of
 * either go to `onFailure`, never to the caller.
 */
export function acquiredWithLease(decision: Decision, calls: LeaseCalls, onFailure: (error: unknown) => void | Promise<void>): Acquired {
  let released: Promise<void> | undefined;
  const report = async (error: unknown): Promise<void> => {
    try {
      await onFailure(error);
    } catch {
      // A failing error handler must not turn a release into a rejection.
    }
  };
  let timer: ReturnType<typeof setInterval> | undefined;
  const { renew, renewEveryMs } = calls;
  if (renew !== undefined && renewEveryMs !== undefined) {
    let renewing = false;
    timer = setInterval(() => {
      if (renewing) return;
      renewing = true;
      renew().catch(report).finally(() => { renewing = false; });
    }, renewEveryMs);
    (timer as { unref?: () => void }).unref?.();
  }
  const acquired: Acquired = {
    decision,
    release(): Promise<void> {
      released ??= (async () => {
        if (timer !== undefined) {
          clearInterval(timer);
          dropped.unregister(acquired);
        }
        try {
          await calls.release();
        } catch (error) {
          await report(error);
        }
      })();
      return released;
    },
  };
  if (timer !== undefined) dropped.register(acquired, timer, acquired);
  return acquired;
}

/** One held slot, as `leaseCalls` needs it. */
export interface HeldLease {
  leaseId: string;
  /** The identity key and the hit's context, as the acquire got them. */
  key: string;
  context: unknown;
  /** The units the slot holds (the acquire's cost). */
  cost: number;
  /** The rates the acquire was decided under (for the lease time). */
  rates: readonly Rate[];
  /** `AcquireOptions.heartbeat`. */
  heartbeat: boolean | undefined;
}

/**
 * The backend calls of a held slot: `send(args, cost)` applies one step to
 * the slot's keys. Release sends the strategy's release args (cost 0); the
 * heartbeat its renew args (else the acquire args under the same id) with
 * the slot's cost, every third of the lease.
 */
export function leaseCalls(strategy: LeaseStrategy, lease: HeldLease, send: (args: StepArgs, cost: number) => Promise<void>): LeaseCalls {
  const { leaseId, key, context, cost } = lease;
  const calls: LeaseCalls = { release: () => send(strategy.releaseArgs(leaseId, context, key), 0) };
  const every = lease.heartbeat === false ? undefined : renewIntervalMs(strategy, lease.rates);
  if (every !== undefined) {
    const args = strategy.renewArgs?.(leaseId, context, key) ?? strategy.acquireArgs(leaseId, context, key);
    calls.renew = () => send(args, cost);
    calls.renewEveryMs = every;
  }
  return calls;
}

let counter = 0;
/** 8 random base-36 characters (about 41 bits), drawn once per process. */
const processPart = Math.floor(Math.random() * 36 ** 8).toString(36).padStart(8, '0');

/**
 * A lease id unique across processes with very high probability: this
 * process's random part and a counter (cheap: no random draw per lease).
 * Ids are only ever compared within one key's leases.
 */
export function newLeaseId(): string {
  counter++;
  return `${processPart}-${counter.toString(36)}`;
}
