import type { Decision, Exempted, Throttle } from '../core/index.js';

interface PendingHit {
  cost: number;
  resolve(decision: Decision): void;
  reject(error: unknown): void;
}

/** Runs `flush` once every promise continuation queued so far has run (see `HitBatcher`). */
export type FlushScheduler = (flush: () => void) => void;

/**
 * The default scheduler: a microtask that queues a `process.nextTick`. Node
 * runs a tick queued from a microtask only once the microtask queue is
 * empty, so the flush waits for every promise chain already under way (a
 * list's resolvers, however many `await`s deep their identify and cost
 * functions go) but for no I/O and no timer. Elsewhere: `setTimeout(0)`.
 */
export const afterPendingMicrotasks: FlushScheduler =
  typeof process === 'object' && typeof process.nextTick === 'function'
    ? (flush) => queueMicrotask(() => process.nextTick(flush))
    : (flush) => void setTimeout(flush, 0);

/**
 * Gathers the hits that become ready together and sends them to the backend
 * in one round trip per (throttle, caller key): `Throttle.hitMany`, which
 * applies them in the order they arrived, atomically. Each hit's promise
 * settles with its own decision; if the backend call rejects (only with
 * `onError: 'raise'`), every hit of that batch rejects with the error.
 */
export class HitBatcher {
  private pending = new Map<Throttle<unknown>, Map<string | Exempted, PendingHit[]>>();
  private scheduled = false;
  private readonly schedule: FlushScheduler;

  constructor(schedule: FlushScheduler = afterPendingMicrotasks) {
    this.schedule = schedule;
  }

  /** Queues one hit of `cost` for `key` on `throttle`; settles after the next flush. */
  hit(throttle: Throttle<unknown>, key: string | Exempted, cost: number): Promise<Decision> {
    return new Promise<Decision>((resolve, reject) => {
      let byKey = this.pending.get(throttle);
      if (byKey === undefined) {
        byKey = new Map();
        this.pending.set(throttle, byKey);
      }
      let hits = byKey.get(key);
      if (hits === undefined) {
        hits = [];
        byKey.set(key, hits);
      }
      hits.push({ cost, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        this.schedule(() => this.flush());
      }
    });
  }

  /** Sends every queued hit now: one `hitMany` per (throttle, key). */
  flush(): void {
    const batches = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    for (const [throttle, byKey] of batches) {
      for (const [key, hits] of byKey) {
        let sent: Promise<Decision[]>;
        try {
          sent = throttle.hitMany(key, hits.map((h) => h.cost));
        } catch (error) {
          sent = Promise.reject(error);
        }
        sent.then(
          (decisions) => {
            for (let i = 0; i < hits.length; i++) hits[i]!.resolve(decisions[i]!);
          },
          (error: unknown) => {
            for (const h of hits) h.reject(error);
          },
        );
      }
    }
  }
}
