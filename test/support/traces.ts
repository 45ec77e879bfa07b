/**
 * Random hit traces for comparing backends: the same seeded sequence of
 * (time step, cost, hit | peek | batch) replayed through two backends with
 * the same injected clock must give identical decisions (SEMANTICS.md: every
 * backend decides alike). Used by the Redis and Memcached replay tests.
 * With `opShare` (or `generateOpTrace`), traces also hold forced charges and
 * refunds (SEMANTICS.md "Giving units back"), replayed on a backend with
 * `replayTraceOnBackend`.
 */
import type { Decision, Throttle } from '../../src/index.js';
import type { Backend } from '../../src/core/backends/backend.js';
import type { StepDecision } from '../../src/core/decision.js';
import { scopeKey, stateSuffix } from '../../src/core/keys.js';
import { Rate } from '../../src/core/rate.js';
import type { AnyStrategy, StepArgs } from '../../src/core/strategies/strategy.js';
import { seededRandom } from '../../src/testing/trace.js';

/** One event of a trace. */
export interface TraceEvent {
  /** How far the clock moves before this event, ms (0: same millisecond as the previous one). */
  readonly advanceMs: number;
  /**
   * `hit` (one hit), `peek` (dry run), `batch` (`hitMany` with `costs`), or,
   * only in traces made with `opShare`, `charge` / `refund` (op of that name).
   */
  readonly kind: 'hit' | 'peek' | 'batch' | 'charge' | 'refund';
  /** The cost of a hit or peek. */
  readonly cost: number;
  /** The costs of a batch (empty otherwise). */
  readonly costs: readonly number[];
  /** Which identity the event is for. */
  readonly key: string;
}

/** Options of `generateTrace`. */
export interface TraceOptions {
  /** Seed of the pseudo-random generator: the same seed gives the same trace. */
  seed: number;
  /** Number of events. */
  length: number;
  /** Largest cost drawn (inclusive); use L + 1 to exercise "never" (Infinity) answers. */
  maxCost: number;
  /** Largest clock step, ms (steps are often 0 or small, sometimes up to this). */
  maxAdvanceMs: number;
  /** Number of distinct identities (default 2). */
  keys?: number;
  /** Share of peeks (default 0.1). */
  peekShare?: number;
  /** Share of batches (default 0.1); a batch has 1 to 5 costs. */
  batchShare?: number;
  /**
   * Share of charges and refunds, half each (default 0: the trace is exactly
   * what it was before ops existed, for existing callers). Charges draw costs
   * up to `2 * maxCost`, so keys get overcharged past their limit.
   */
  opShare?: number;
}

/** A small seeded generator (mulberry32), the conformance kit's own: floats in [0, 1). */
export { seededRandom };

/** Builds a reproducible random trace. */
export function generateTrace(options: TraceOptions): TraceEvent[] {
  const { seed, length, maxCost, maxAdvanceMs, keys = 2, peekShare = 0.1, batchShare = 0.1, opShare = 0 } = options;
  const random = seededRandom(seed);
  const int = (max: number) => Math.floor(random() * (max + 1));
  const events: TraceEvent[] = [];
  for (let i = 0; i < length; i++) {
    const r = random();
    // Mostly bursts (0 or a few ms apart), sometimes a long pause.
    const advanceMs = r < 0.3 ? 0 : r < 0.8 ? int(Math.max(1, Math.floor(maxAdvanceMs / 20))) : int(maxAdvanceMs);
    const pick = random();
    const key = `user-${int(keys - 1)}`;
    if (pick < batchShare) {
      const costs = Array.from({ length: 1 + int(4) }, () => int(maxCost));
      events.push({ advanceMs, kind: 'batch', cost: 0, costs, key });
    } else if (pick >= batchShare + peekShare && pick < batchShare + peekShare + opShare) {
      const charge = random() < 0.5;
      events.push({ advanceMs, kind: charge ? 'charge' : 'refund', cost: int(charge ? 2 * maxCost : maxCost), costs: [], key });
    } else {
      events.push({ advanceMs, kind: pick < batchShare + peekShare ? 'peek' : 'hit', cost: int(maxCost), costs: [], key });
    }
  }
  return events;
}

/**
 * The trace the Redis and Memcached replays use for charge and refund: hits,
 * peeks, batches, and 20% forced charges and refunds mixed in (costs up to
 * `maxCost` for hits and refunds, `2 * maxCost` for charges).
 */
export function generateOpTrace(options: TraceOptions): TraceEvent[] {
  return generateTrace({ opShare: 0.2, ...options });
}

/** A clock a test moves by hand: pass `clock.now` as a backend's `clock`. */
export interface ManualClock {
  readonly now: () => number;
  advance(ms: number): void;
}

/** A manual clock starting at `start` ms. */
export function manualClock(start: number): ManualClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/**
 * Replays `trace` through `throttle`, moving `clock` before each event, and
 * returns each event's decisions (one for a hit or peek, one per cost for a
 * batch), for comparison with another backend's.
 */
export async function replayTrace(trace: readonly TraceEvent[], throttle: Throttle, clock: ManualClock): Promise<Decision[][]> {
  const out: Decision[][] = [];
  for (const event of trace) {
    clock.advance(event.advanceMs);
    if (event.kind === 'charge' || event.kind === 'refund') throw new Error('replayTrace: charges and refunds replay with replayTraceOnBackend');
    if (event.kind === 'batch') out.push(await throttle.hitMany(event.key, event.costs));
    else if (event.kind === 'peek') out.push([await throttle.peek(event.key, { cost: event.cost })]);
    else out.push([await throttle.hit(event.key, { cost: event.cost })]);
  }
  return out;
}

/**
 * Replays `trace` as `replayTrace` does, but in bursts of 1 to 8 events (a
 * seeded split): the events of a burst are started in one tick, each after
 * its clock move, without waiting for the previous one, and then awaited
 * together. A backend that decides them in the order they were made gives
 * the same decisions as `replayTrace`; one that coalesces a tick's hits is
 * exercised with mixed hits, peeks, batches, keys and times in one tick.
 */
export async function replayTraceInBursts(trace: readonly TraceEvent[], throttle: Throttle, clock: ManualClock, seed: number): Promise<Decision[][]> {
  const random = seededRandom(seed ^ 0x5bd1e995);
  const out: Decision[][] = [];
  let at = 0;
  while (at < trace.length) {
    const end = Math.min(trace.length, at + 1 + Math.floor(random() * 8));
    const burst: Promise<Decision[]>[] = [];
    for (; at < end; at++) {
      const event = trace[at]!;
      clock.advance(event.advanceMs);
      if (event.kind === 'charge' || event.kind === 'refund') throw new Error('replayTraceInBursts: charges and refunds replay with replayTraceOnBackend');
      if (event.kind === 'batch') burst.push(throttle.hitMany(event.key, event.costs));
      else if (event.kind === 'peek') burst.push(throttle.peek(event.key, { cost: event.cost }).then((d) => [d]));
      else burst.push(throttle.hit(event.key, { cost: event.cost }).then((d) => [d]));
    }
    out.push(...(await Promise.all(burst)));
  }
  return out;
}

/**
 * Replays `trace` straight on `backend` (no Throttle: every kind, charges
 * and refunds included, as `ApplyRequest.op`), one event at a time, moving
 * `clock` before each. `rates` are the throttle's rates ("0/0" not allowed),
 * `uid` names the keys (use a fresh one per replay), `args` the step args of
 * every event. Returns each event's per-rate decisions (one list per cost
 * for a batch), for comparison with another backend's replay of the same trace.
 */
export async function replayTraceOnBackend(
  trace: readonly TraceEvent[], backend: Backend, strategy: AnyStrategy, rates: readonly string[], clock: ManualClock, uid: string,
  args: StepArgs = [],
): Promise<StepDecision[][][]> {
  const parsed = rates.map((r) => Rate.parse(r));
  const out: StepDecision[][][] = [];
  for (const event of trace) {
    clock.advance(event.advanceMs);
    const scope = scopeKey(uid, event.key);
    const base = { strategy, scope, keys: parsed.map((r) => scope + stateSuffix(strategy.name, r)), rates: parsed, args };
    if (event.kind === 'batch') out.push(await backend.applyBatch({ ...base, costs: event.costs }));
    else if (event.kind === 'peek') out.push([await backend.apply({ ...base, cost: event.cost, dryRun: true })]);
    else out.push([await backend.apply({ ...base, cost: event.cost, op: event.kind })]);
  }
  return out;
}
