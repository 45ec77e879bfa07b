/**
 * The conformance kit's reference: the in-process rule itself, `runSteps`
 * over a plain map of live states (what `InMemoryBackend` does, minus
 * eviction), driven by the kit's clock. Every backend must decide as it does.
 */
import type { StepDecision } from '../core/decision.js';
import type { ApplyRequest, BatchRequest } from '../core/backends/backend.js';
import { runSteps } from '../core/backends/run-steps.js';

interface Entry {
  state: unknown;
  expiresAt: number;
}

/** Limit state in a map, decided by `runSteps` at the time it is given. */
export class ReferenceModel {
  private readonly entries = new Map<string, Entry>();

  /** One hit (or peek, charge, refund) at `now`: the per-rate decisions. */
  apply(request: ApplyRequest, now: number): StepDecision[] {
    const states = request.keys.map((key) => this.live(key, now));
    const { decisions, writes } = runSteps(request.strategy, states, now, request.cost, request.rates, request.dryRun === true, request.args, request.op);
    if (writes !== undefined) {
      request.keys.forEach((key, i) => this.entries.set(key, { state: writes[i]!.state, expiresAt: now + writes[i]!.ttlMs }));
    }
    return decisions;
  }

  /** A batch at `now`: each cost in order, each hit all-or-nothing on its own. */
  applyBatch(request: BatchRequest, now: number): StepDecision[][] {
    return request.costs.map((cost) => this.apply({ ...request, cost }, now));
  }

  /** The live state of each of `keys` at `now` (undefined when absent or expired), as `Backend.read` reports them. */
  read(keys: readonly string[], now: number): unknown[] {
    return keys.map((key) => this.live(key, now));
  }

  /** Forgets `keys`. */
  reset(keys: readonly string[]): void {
    for (const key of keys) this.entries.delete(key);
  }

  private live(key: string, now: number): unknown {
    const entry = this.entries.get(key);
    return entry !== undefined && entry.expiresAt > now ? entry.state : undefined;
  }
}
