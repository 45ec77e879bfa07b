import type { StepDecision } from '../decision.js';
import type { Rate } from '../rate.js';
import type { AnyStrategy, StepArgs, StepOp, StepOutcome } from '../strategies/strategy.js';

const NO_ARGS: StepArgs = [];

/** What `runSteps` decided: the per-rate decisions and the states to store (none when denied). */
export interface StepsResult<S> {
  decisions: StepDecision[];
  /** States to write, one per key, or `undefined` when nothing is stored (denied, cost 0, or dry run). */
  writes: StepOutcome<S>[] | undefined;
}

/**
 * The one rule for whether a step's state is stored: the step allowed the
 * hit (a charge or refund always is) and it costs something, or the step
 * asks for it (`StepOutcome.store`, e.g. a concurrency slot's release).
 * Dry runs store nothing; their callers check that first.
 */
export function storesOutcome(outcome: StepOutcome<unknown>, cost: number): boolean {
  return outcome.decision.allowed && (cost > 0 || outcome.store === true);
}

/**
 * The all-or-nothing rule for several rates (docs/semantics.md): run the step for
 * every rate; if all allow, store every new state; if any denies, store
 * nothing, and report each rate that would have allowed by its cost-0
 * decision (nothing consumed). States are stored only for an allowed hit
 * with cost > 0 (or a step that sets `store`), never on a dry run. Every backend uses this (Redis via its Lua
 * twin), so all agree.
 */
export function runSteps<S>(
  strategy: AnyStrategy,
  states: readonly (S | undefined)[],
  now: number,
  cost: number,
  rates: readonly Rate[],
  dryRun = false,
  args: StepArgs = NO_ARGS,
  op: StepOp = 'hit',
): StepsResult<S> {
  const outcomes: StepOutcome<S>[] = [];
  let allowed = true;
  for (let i = 0; i < rates.length; i++) {
    const outcome = strategy.step(states[i], now, cost, rates[i]!, args, op) as StepOutcome<S>;
    if (!outcome.decision.allowed) allowed = false;
    outcomes.push(outcome);
  }
  if (allowed) {
    const store = !dryRun && outcomes.some((o) => storesOutcome(o, cost));
    return { decisions: outcomes.map((o) => o.decision), writes: store ? outcomes : undefined };
  }
  const decisions = outcomes.map((o, i) =>
    o.decision.allowed ? (strategy.step(states[i], now, 0, rates[i]!, args) as StepOutcome<S>).decision : o.decision,
  );
  return { decisions, writes: undefined };
}
