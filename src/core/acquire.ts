import type { Decision } from './decision.js';
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
}

/** What `Throttle.acquire` resolves with. */
export interface Acquired {
  /** The decision of the acquiring hit (as `hit` returns it). */
  readonly decision: Decision;
  /**
   * Gives the slot back. Idempotent (later calls return the first call's
   * promise) and never rejects; a no-op when the hit was denied, exempt, or
   * its strategy holds no slots.
   */
  release(): Promise<void>;
}

const NOTHING_TO_RELEASE = (): Promise<void> => Promise.resolve();

/** An `Acquired` whose `release` does nothing. */
export function acquiredWithoutLease(decision: Decision): Acquired {
  return { decision, release: NOTHING_TO_RELEASE };
}

/** An `Acquired` whose `release` runs `give back` once; its failure goes to `onFailure`, never to the caller. */
export function acquiredWithLease(decision: Decision, giveBack: () => Promise<void>, onFailure: (error: unknown) => void | Promise<void>): Acquired {
  let released: Promise<void> | undefined;
  return {
    decision,
    release(): Promise<void> {
      released ??= (async () => {
        try {
          await giveBack();
        } catch (error) {
          try {
            await onFailure(error);
          } catch {
            // A failing error handler must not turn a release into a rejection.
          }
        }
      })();
      return released;
    },
  };
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
