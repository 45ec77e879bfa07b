/**
 * A counting strategy that implements the charge and refund ops, and a
 * small Map-backed backend that runs `runSteps` with the request's op, so the
 * throttle's refund/charge/wait can be tested before the built-in
 * strategies and the in-process backend carry the op (branches ops, keys).
 */
import { runSteps } from '../../../src/extend.js';
import {
  ConfigurationError, type ApplyRequest, type Backend, type BatchRequest, type Rate, type StepArgs,
  type StepDecision, type StepOp, type StepOutcome, type Strategy,
} from '../../../src/index.js';

/** Fixed-window count: `n` units in window `w`. */
export interface Count { readonly w: number; readonly n: number }

/** A fixed window whose step honours 'hit', 'charge' and 'refund' (SEMANTICS: "Giving units back"). */
export class OpCountingStrategy implements Strategy<Count> {
  readonly name: string = 'op-counter';
  readonly supportsChargeAndRefund: boolean = true;
  step(state: Count | undefined, now: number, cost: number, rate: Rate, _args?: StepArgs, op: StepOp = 'hit'): StepOutcome<Count> {
    const w = Math.floor(now / rate.periodMs);
    const n = state !== undefined && state.w === w ? state.n : 0;
    const end = (w + 1) * rate.periodMs - now;
    const after = op === 'refund' ? Math.max(0, n - cost) : n + cost;
    const allowed = op !== 'hit' || after <= rate.limit;
    const kept = allowed ? after : n;
    const decision: StepDecision = {
      allowed, limit: rate.limit, remaining: Math.max(0, rate.limit - kept),
      retryAfterMs: allowed ? 0 : cost > rate.limit ? Infinity : end, resetAfterMs: kept === 0 ? 0 : end, delayMs: 0,
    };
    return { decision, state: { w, n: kept }, ttlMs: end };
  }
  serialize(state: Count): string {
    return `${state.w},${state.n}`;
  }
  parse(text: string): Count {
    const [w, n] = text.split(',').map(Number);
    return { w: w!, n: n! };
  }
}

/** A backend over a Map that applies each request with `runSteps`, op included, on an injected clock. */
export class OpMapBackend implements Backend {
  readonly namespace = 'op-map';
  readonly requests: ApplyRequest[] = [];
  private readonly states = new Map<string, unknown>();
  constructor(private readonly clock: () => number) {}
  apply(request: ApplyRequest): Promise<StepDecision[]> {
    this.requests.push(request);
    const states = request.keys.map((key) => this.states.get(key));
    const { decisions, writes } = runSteps(request.strategy, states, this.clock(), request.cost, request.rates, request.dryRun, request.args, request.op);
    if (writes !== undefined) writes.forEach((w, i) => this.states.set(request.keys[i]!, w.state));
    return Promise.resolve(decisions);
  }
  applyBatch(_request: BatchRequest): Promise<StepDecision[][]> {
    return Promise.reject(new ConfigurationError('not used'));
  }
  reset(_scope: string, keys: readonly string[]): Promise<void> {
    for (const key of keys) this.states.delete(key);
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
