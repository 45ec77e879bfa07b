import type { StepDecision } from '../decision.js';
import type { Rate } from '../rate.js';
import type { AnyStrategy, StepArgs, StepOp } from '../strategies/strategy.js';
import type { OnError } from '../on-error.js';

/**
 * One hit as a backend receives it: apply `strategy`'s step with `cost` to
 * each key (one key per rate, `keys[i]` for `rates[i]`), all or nothing.
 */
export interface ApplyRequest {
  readonly strategy: AnyStrategy;
  /**
   * The part shared by every key of this hit (uid + identity, length-prefixed).
   * Stores that shard keep a scope's keys together (one Redis Cluster slot).
   */
  readonly scope: string;
  /** Collision-free keys, each beginning with `scope`; same order as `rates`. */
  readonly keys: readonly string[];
  /** Limited rates (never "0/0"), one per key. */
  readonly rates: readonly Rate[];
  /** Whole number >= 0. */
  readonly cost: number;
  /** When true, compute the decisions but store nothing (`Throttle.peek`). Only with op `'hit'`. */
  readonly dryRun?: boolean;
  /** What the step does with `cost` (default `'hit'`); `'charge'` and `'refund'` are always allowed and stored. */
  readonly op?: StepOp;
  /** The strategy's per-hit arguments (`strategy.argsFor`), passed to every step. */
  readonly args?: StepArgs;
}

/**
 * Several hits of one caller on the same keys, applied in order as if sent one
 * after another, in one atomic step (one round trip on Redis). `costs[j]` is
 * hit j's cost; each hit is all-or-nothing across the rates on its own.
 */
export interface BatchRequest extends Omit<ApplyRequest, 'cost' | 'dryRun' | 'op'> {
  readonly costs: readonly number[];
}

/** What `Backend.read` is asked for: the keys of one scope, and the strategy that parses their states. */
export interface ReadRequest {
  readonly strategy: AnyStrategy;
  readonly scope: string;
  readonly keys: readonly string[];
}

/** What `Backend.read` returns. */
export interface ReadResult {
  /** The backend's clock in whole ms when the states were read. */
  readonly now: number;
  /** One parsed state per key; `undefined` for a key with no live state. */
  readonly states: readonly unknown[];
}

/**
 * Where limit state lives. A backend runs each request's steps atomically:
 * no other hit on the same keys, from any process, interleaves with it. It
 * knows nothing of any strategy's rule: it loads state, calls the step (or
 * its Lua twin) and stores the result.
 */
export interface Backend {
  /** Prefix of every key this backend writes; two namespaces never share state. */
  readonly namespace: string;
  /** The backend-wide error policy, used by throttles that set none of their own. */
  readonly onError?: OnError | undefined;
  /**
   * Optional: the most ms one call may take. A backend that sets it bounds
   * its own calls; a throttle also rejects a call still pending a little
   * after it (`BackendTimeoutError`), so a stuck store never hangs a hit.
   */
  readonly timeoutMs?: number | undefined;
  /**
   * Runs one hit. Resolves with one decision per rate (see `runSteps` for
   * the all-or-nothing rule). Rejects with `BackendError` /
   * `BackendConnectionError` when the store fails; never leaves a rejection
   * unhandled.
   */
  apply(request: ApplyRequest): Promise<StepDecision[]>;
  /**
   * Runs `request.costs.length` hits in order in one atomic step; resolves
   * with each hit's per-rate decisions (`result[j][i]`: hit j, rate i). Used
   * by the GraphQL directive to charge a whole list in one round trip.
   */
  applyBatch(request: BatchRequest): Promise<StepDecision[][]>;
  /**
   * Optional: reads the stored states of `keys` without changing them (for
   * `Throttle.stats`): `states[i]` is key i's parsed state, `undefined` when
   * absent or expired; `now` is the backend's clock in whole ms.
   */
  read?(request: ReadRequest): Promise<ReadResult>;
  /** Forgets the state of `keys` (all rates of one scope). */
  reset(scope: string, keys: readonly string[]): Promise<void>;
  /** Releases timers and connections this backend created. Idempotent. */
  close(): Promise<void>;
}
