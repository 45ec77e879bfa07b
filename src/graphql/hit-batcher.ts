import { afterPendingMicrotasks, type FlushScheduler } from '../core/after-pending-microtasks.js';
import type { Decision, Exempted, Throttle } from '../core/index.js';

export { afterPendingMicrotasks, type FlushScheduler };

/** A run of hits queued together (one hit, or a list charged ahead): settled together. */
interface PendingRun {
  costs: readonly number[];
  resolve(decisions: Decision[]): void;
  reject(error: unknown): void;
}

/** The batches of one throttle: by context (`undefined` for hits sent without one), then by caller key. */
type ByContext = Map<unknown, Map<string | Exempted, PendingRun[]>>;

/**
 * Gathers the hits that become ready together and sends them to the backend
 * in one round trip per (throttle, context, caller key): `Throttle.hitMany`,
 * which applies them in the order they arrived, atomically. Hits given a
 * context (a backend chosen per request) are sent with it, and only with
 * hits of the same context. Each hit's promise settles with its own
 * decision; if the backend call rejects (only with `onError: 'raise'`),
 * every hit of that batch rejects with the error.
 */
export class HitBatcher {
  private pending = new Map<Throttle<unknown>, ByContext>();
  private scheduled = false;
  private readonly schedule: FlushScheduler;

  constructor(schedule: FlushScheduler = afterPendingMicrotasks) {
    this.schedule = schedule;
  }

  /** Queues one hit of `cost` for `key` on `throttle` (with `context`, if given); settles after the next flush. */
  hit(throttle: Throttle<unknown>, key: string | Exempted, cost: number, context?: unknown): Promise<Decision> {
    return this.hitMany(throttle, key, [cost], context).then((decisions) => decisions[0]!);
  }

  /** Queues several hits for `key` on `throttle`, kept in order and together; settles with one decision per cost. */
  hitMany(throttle: Throttle<unknown>, key: string | Exempted, costs: readonly number[], context?: unknown): Promise<Decision[]> {
    return new Promise<Decision[]>((resolve, reject) => {
      let byContext = this.pending.get(throttle);
      if (byContext === undefined) {
        byContext = new Map();
        this.pending.set(throttle, byContext);
      }
      let byKey = byContext.get(context);
      if (byKey === undefined) {
        byKey = new Map();
        byContext.set(context, byKey);
      }
      let runs = byKey.get(key);
      if (runs === undefined) {
        runs = [];
        byKey.set(key, runs);
      }
      runs.push({ costs, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        this.schedule(() => this.flush());
      }
    });
  }

  /** Sends every queued hit now: one `hitMany` per (throttle, context, key). */
  flush(): void {
    const batches = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    for (const [throttle, byContext] of batches) {
      for (const [context, byKey] of byContext) {
        for (const [key, runs] of byKey) this.send(throttle, context, key, runs);
      }
    }
  }

  /** One round trip for the runs of one (throttle, context, key). */
  private send(throttle: Throttle<unknown>, context: unknown, key: string | Exempted, runs: PendingRun[]): void {
    const costs = runs.length === 1 ? runs[0]!.costs : runs.flatMap((run) => run.costs);
    let sent: Promise<Decision[]>;
    try {
      sent = context === undefined ? throttle.hitMany(key, costs) : throttle.hitMany(key, costs, { context });
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      (decisions) => {
        if (runs.length === 1) return runs[0]!.resolve(decisions);
        let offset = 0;
        for (const run of runs) {
          run.resolve(decisions.slice(offset, offset + run.costs.length));
          offset += run.costs.length;
        }
      },
      (error: unknown) => {
        for (const run of runs) run.reject(error);
      },
    );
  }
}
