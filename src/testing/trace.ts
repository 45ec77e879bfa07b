/**
 * The conformance kit's random traces: a seeded sequence of clock steps and
 * operations (hits, peeks, batches, charges, refunds) on a few identities.
 * The same seed always gives the same trace, so a failure can be replayed.
 */

/** What one trace step does. */
export type TraceKind = 'hit' | 'peek' | 'batch' | 'charge' | 'refund';

/** One step of a trace. */
export interface TraceStep {
  /** How far the clock moves before this step, ms (often 0: the same millisecond). */
  readonly advanceMs: number;
  readonly kind: TraceKind;
  /** The cost of a hit, peek, charge or refund. */
  readonly cost: number;
  /** The costs of a batch (empty otherwise). */
  readonly costs: readonly number[];
  /** Which identity the step is for. */
  readonly identity: string;
}

/** How a trace is drawn. */
export interface TraceShape {
  readonly seed: number;
  readonly length: number;
  /** Largest cost drawn (inclusive); the kit uses the largest limit + 1, so "never" answers occur. */
  readonly maxCost: number;
  /** Largest clock step, ms; most steps are far smaller. */
  readonly maxAdvanceMs: number;
  readonly identities: number;
  /** Whether charges and refunds are drawn (only for strategies that support them). */
  readonly chargeAndRefund: boolean;
}

/** A small seeded generator (mulberry32): floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws a trace: mostly bursts (0 or a few ms apart), sometimes a long pause; ~10% peeks, ~10% batches, ~8% charges and ~8% refunds when allowed. */
export function drawTrace(shape: TraceShape): TraceStep[] {
  const random = seededRandom(shape.seed);
  const int = (max: number): number => Math.floor(random() * (max + 1));
  const steps: TraceStep[] = [];
  for (let i = 0; i < shape.length; i++) {
    const r = random();
    const advanceMs = r < 0.3 ? 0 : r < 0.8 ? int(Math.max(1, Math.floor(shape.maxAdvanceMs / 20))) : int(shape.maxAdvanceMs);
    const identity = `id-${int(shape.identities - 1)}`;
    const pick = random();
    if (pick < 0.1) {
      steps.push({ advanceMs, kind: 'batch', cost: 0, costs: Array.from({ length: 1 + int(4) }, () => int(shape.maxCost)), identity });
      continue;
    }
    let kind: TraceKind = pick < 0.2 ? 'peek' : 'hit';
    if (shape.chargeAndRefund && pick >= 0.2 && pick < 0.36) kind = pick < 0.28 ? 'charge' : 'refund';
    steps.push({ advanceMs, kind, cost: int(shape.maxCost), costs: [], identity });
  }
  return steps;
}

/** A step in words, for reports: `hit cost 3 on "id-1"`. */
export function describeStep(step: TraceStep): string {
  if (step.kind === 'batch') return `batch of costs [${step.costs.join(', ')}] on "${step.identity}"`;
  return `${step.kind} cost ${step.cost} on "${step.identity}"`;
}
