/**
 * The hits waiting for one item's next read-modify-write cycle, and how a
 * cycle applies them to the state it read: in arrival order, each with
 * `runSteps` (the same rule as every backend).
 */
import type { StepDecision } from '../../decision.js';
import type { Rate } from '../../rate.js';
import type { AnyStrategy, StepArgs, StepOp } from '../../strategies/strategy.js';
import { runSteps } from '../run-steps.js';
import type { StoredRate } from './item.js';

/** One caller's hits (one `apply`, or one `applyBatch`) waiting for a cycle. */
export interface Pending {
  readonly strategy: AnyStrategy;
  readonly costs: readonly number[];
  readonly dryRun: boolean;
  readonly op: StepOp | undefined;
  readonly args: StepArgs | undefined;
  resolve(decisions: StepDecision[][]): void;
  reject(error: unknown): void;
}

/** What `applyPending` computed: the state to write (if any) and how to settle the hits. */
export interface CycleOutcome {
  /** The item's new rates, or `undefined` when no hit stored anything. */
  readonly next: StoredRate[] | undefined;
  /** True when a hit of the cycle was denied (on some rate). */
  readonly denied: boolean;
  /** Resolves (or rejects) every pending hit; call once the write is done. */
  settle(): void;
}

/**
 * Applies the pending hits in order to `stored` at `now`, each with
 * `runSteps` (all-or-nothing across rates). A hit whose strategy throws is
 * rejected alone (its batch leaves no trace); the others go on.
 */
export function applyPending(batch: readonly Pending[], stored: readonly StoredRate[] | undefined, rates: readonly Rate[], now: number): CycleOutcome {
  let current: StoredRate[] = [];
  for (let i = 0; i < rates.length; i++) current.push(stored?.[i] ?? { expiresAt: -Infinity, state: undefined });
  let changed = false;
  let denied = false;
  const settlers: (() => void)[] = [];
  for (const p of batch) {
    const before = current;
    const beforeChanged: boolean = changed;
    try {
      const results: StepDecision[][] = [];
      for (const cost of p.costs) {
        const states = current.map((r) => (r.expiresAt > now ? r.state : undefined));
        const { decisions, writes } = runSteps(p.strategy, states, now, cost, rates, p.dryRun, p.args, p.op);
        if (writes !== undefined) {
          current = writes.map((w) => ({ expiresAt: now + w.ttlMs, state: w.state }));
          changed = true;
        }
        for (const d of decisions) if (!d.allowed) denied = true;
        results.push(decisions);
      }
      settlers.push(() => p.resolve(results));
    } catch (error) {
      current = before;
      changed = beforeChanged;
      settlers.push(() => p.reject(error));
    }
  }
  return { next: changed ? current : undefined, denied, settle: () => settlers.forEach((s) => s()) };
}
