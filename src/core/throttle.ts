import { acquiredWithLease, acquiredWithoutLease, leaseCalls, newLeaseId, type AcquireOptions, type Acquired } from './acquire.js';
import type { ApplyRequest, Backend } from './backends/backend.js';
import { InMemoryBackend, type KeyIndex } from './backends/in-memory.js';
import { mergeStepDecisions, unlimitedStep, type Decision, type PolicyDecision, type StepDecision } from './decision.js';
import { ConfigurationError, describeValue, RateLimitExceededError, type TraffikError } from './errors.js';
import { EXEMPTED, type Exempted } from './exempted.js';
import { keyPart, scopeKey } from './keys.js';
import { DecisionReporter } from './metrics/decision-reporter.js';
import type { DecisionListener } from './metrics/decision-event.js';
import { describeThrottleState, type ThrottleStats } from './metrics/throttle-stats.js';
import {
  DEFAULT_ON_ERROR, applyErrorPolicy, asBackendFailure, errorDecisions, type OnError, type OnErrorHandler, type OnErrorResult,
} from './on-error.js';
import { checkOptionNames, checkWholeNumber } from './options.js';
import type { Rate } from './rate.js';
import { RateSet, type RateFunction, type Rates } from './rate-set.js';
import { callBackend } from './resilience/call-backend.js';
import { isLeaseStrategy } from './strategies/concurrency-limit.js';
import { FixedWindowStrategy } from './strategies/fixed-window.js';
import type { AnyStrategy, StepArgs } from './strategies/strategy.js';

export type { Rates, RateFunction } from './rate-set.js';

/** A cost computed per hit; must give a whole number >= 0. */
export type CostFunction<Ctx> = (key: string, context: Ctx | undefined) => number | Promise<number>;

/** Options of `new Throttle(...)`. Every value is checked at construction. */
export interface ThrottleOptions<Ctx = unknown> {
  /** Unique within a backend namespace: throttles with different uids never share state. */
  uid: string;
  /** `"100/minute"`, a `Rate`, several of them (all must allow), or a function of (key, context). */
  rate: Rates | RateFunction<Ctx>;
  /** The algorithm. Default: `new FixedWindowStrategy()`. */
  strategy?: AnyStrategy;
  /** Where state lives. Default: one in-process `InMemoryBackend` shared by all throttles. */
  backend?: Backend;
  /** Units each hit costs (default 1), or a function of (key, context). `hit`'s own `cost` wins. */
  cost?: number | CostFunction<Ctx>;
  /** What to do when the backend fails. Default: the backend's, else `'throttle'`. */
  onError?: OnError;
  /** A denied hit waits at least this long (`retryAfterMs` is raised to it); also the wait of `onError: 'throttle'`. */
  minWaitMs?: number;
  /**
   * Called synchronously once per decided hit (see `DecisionListener`): feed
   * your metrics from it, or pass `TraffikMetrics#onDecision`. Throwing from
   * it never fails the hit.
   */
  onDecision?: DecisionListener;
  /**
   * How often `onDecision` events carry a measured `durationMs`: on 1 hit in
   * N (1 = every hit). Default: 1 for remote backends (a hit takes 100 µs or
   * more, timing it costs ~0.2 µs), 64 for the in-process backend (where two
   * `performance.now()` calls would cost a large share of a sub-µs hit).
   */
  timingSampleEvery?: number;
}

/** Per-call options of `hit`, `peek` and `enforce`. */
export interface HitOptions<Ctx = unknown> {
  /** This hit's cost, overriding the throttle's. A whole number >= 0. */
  cost?: number;
  /** Passed to the rate and cost functions and to `onError`. */
  context?: Ctx;
}

let sharedBackend: InMemoryBackend | undefined;

/** The in-process backend used by throttles created without one. */
export function defaultBackend(): InMemoryBackend {
  sharedBackend ??= new InMemoryBackend({ namespace: 'traffik' });
  return sharedBackend;
}

/** What the in-process hot path needs: set when the backend is in-process, with one fixed rate and nothing that must see every call. */
interface FastPath {
  backend: InMemoryBackend;
  rate: Rate;
  index: KeyIndex;
}

const THROTTLE_OPTIONS = ['uid', 'rate', 'strategy', 'backend', 'cost', 'onError', 'minWaitMs', 'onDecision', 'timingSampleEvery'] as const;

/**
 * A named limit: decides hits for identity keys against one or more rates,
 * with one strategy, on one backend. Each hit is one atomic backend step
 * (one round trip on Redis); a denied hit changes nothing.
 */
export class Throttle<Ctx = unknown> {
  /** The throttle's uid. */
  readonly uid: string;
  /** The strategy every hit runs. */
  readonly strategy: AnyStrategy;
  /** The backend holding the state. */
  readonly backend: Backend;
  /** The minimum wait of a denied hit, in ms. */
  readonly minWaitMs: number;
  private readonly onErrorOption: OnError | undefined;
  /** True when the error handler has `preempt`/`succeeded` hooks or the backend a `timeoutMs`: then every backend call is guarded (hooks consulted, time bounded). */
  private readonly guarded: boolean;
  private readonly hooks: OnErrorHandler | undefined;
  /** The throttle's rates, fixed or chosen per hit. */
  private readonly rates: RateSet<Ctx>;
  /** Feeds `onDecision`, when given. */
  private readonly reporter: DecisionReporter | undefined;
  private readonly fixedCost: number | undefined;
  private readonly costFunction: CostFunction<Ctx> | undefined;
  private readonly uidPart: string;
  private readonly fast: FastPath | undefined;

  constructor(options: ThrottleOptions<Ctx>) {
    checkOptionNames('Throttle', options, THROTTLE_OPTIONS);
    if (options === undefined) throw new ConfigurationError('Throttle: options are required ({ uid, rate })');
    const { uid, rate, strategy = new FixedWindowStrategy(), backend, cost = 1, onError, minWaitMs = 0 } = options;
    if (typeof uid !== 'string' || uid.length === 0) {
      throw new ConfigurationError(`Throttle: uid must be a non-empty string, got ${describeValue(uid)}`);
    }
    this.uid = uid;
    if (strategy === null || typeof strategy !== 'object' || typeof strategy.step !== 'function' || typeof strategy.name !== 'string') {
      throw new ConfigurationError(`Throttle "${uid}": strategy must implement the Strategy interface, got ${describeValue(strategy)}`);
    }
    this.strategy = strategy;
    if (backend !== undefined && (backend === null || typeof backend !== 'object' || typeof backend.apply !== 'function')) {
      throw new ConfigurationError(`Throttle "${uid}": backend must implement the Backend interface, got ${describeValue(backend)}`);
    }
    this.backend = backend ?? defaultBackend();
    this.rates = new RateSet(`Throttle "${uid}"`, strategy, rate);
    if (typeof cost === 'function') this.costFunction = cost;
    else this.fixedCost = this.checkCost(cost);
    if (onError !== undefined && typeof onError !== 'function' && onError !== 'allow' && onError !== 'throttle' && onError !== 'raise') {
      throw new ConfigurationError(`Throttle "${uid}": onError must be 'allow', 'throttle', 'raise' or a function, got ${describeValue(onError)}`);
    }
    this.onErrorOption = onError;
    this.minWaitMs = checkWholeNumber(`Throttle "${uid}"`, 'minWaitMs', minWaitMs, 0);
    const policy = onError ?? this.backend.onError;
    this.hooks = typeof policy === 'function' && (policy.preempt !== undefined || policy.succeeded !== undefined) ? policy : undefined;
    this.guarded = this.hooks !== undefined || this.backend.timeoutMs !== undefined;
    if (options.onDecision !== undefined && typeof options.onDecision !== 'function') {
      throw new ConfigurationError(`Throttle "${uid}": onDecision must be a function, got ${describeValue(options.onDecision)}`);
    }
    // In-process hits take well under a microsecond, so timing each would cost a large share; remote ones take 100 µs+.
    const sampleDefault = this.backend instanceof InMemoryBackend ? 64 : 1;
    const sampleEvery = checkWholeNumber(`Throttle "${uid}"`, 'timingSampleEvery', options.timingSampleEvery ?? sampleDefault, 1);
    if (options.onDecision !== undefined) this.reporter = new DecisionReporter(uid, options.onDecision, sampleEvery);
    this.uidPart = uid;
    const only = this.rates.fixed?.rates.length === 1 ? this.rates.fixed : undefined;
    if (this.backend instanceof InMemoryBackend && only !== undefined && this.strategy.argsFor === undefined && !this.guarded) {
      this.fast = { backend: this.backend, rate: only.rates[0]!, index: this.backend.index(keyPart(uid), only.suffixes[0]!) };
    }
  }

  /**
   * Records a hit of `cost` (default: the throttle's) for `key` and returns
   * the decision. Denied hits change nothing. `EXEMPTED` is always allowed
   * without touching the backend. Rejects with `ConfigurationError` for a bad
   * key or cost (before any state changes), and with the backend's error only
   * when `onError` is `'raise'` (or a handler throws).
   */
  hit(key: string | Exempted, options?: HitOptions<Ctx>): Promise<Decision> {
    if (this.fast !== undefined && typeof key === 'string') {
      const decided = this.hitInProcess(this.fast, key, options);
      if (decided !== undefined) return decided;
    }
    return this.run(key, options, false);
  }

  /**
   * The hot path for an in-process backend with one fixed rate: one
   * synchronous step, no arrays, no awaits. Returns `undefined` (so `hit`
   * takes the general path, which handles the case fully) when the cost
   * needs a function or checking, or the backend throws.
   */
  private hitInProcess(fast: FastPath, key: string, options: HitOptions<Ctx> | undefined): Promise<Decision> | undefined {
    const cost = options === undefined || options.cost === undefined ? this.fixedCost : options.cost;
    if (typeof cost !== 'number' || !Number.isSafeInteger(cost) || cost < 0) return undefined;
    const started = this.reporter === undefined ? -1 : this.reporter!.start();
    let step: StepDecision;
    try {
      step = fast.backend.applyIndexed(fast.index, key, this.strategy, fast.rate, cost);
    } catch {
      return undefined;
    }
    const decision: Decision = {
      allowed: step.allowed, limit: step.limit, remaining: step.remaining,
      retryAfterMs: !step.allowed && step.retryAfterMs < this.minWaitMs ? this.minWaitMs : step.retryAfterMs,
      resetAfterMs: step.resetAfterMs, delayMs: step.delayMs,
      cost, uid: this.uid, key,
    };
    if (this.reporter !== undefined) this.reporter!.report(decision, started);
    return Promise.resolve(decision);
  }

  /**
   * What `key`'s state is now, in words (`strategy.describe`, per rate), and
   * the decision a hit would get now (a `peek`: nothing consumed). `rates[i].state`
   * is `undefined` when the backend cannot read raw state (no `Backend.read`)
   * or the strategy has no `describe`. Rejects as `peek` does.
   */
  async stats(key: string | Exempted, options?: HitOptions<Ctx>): Promise<ThrottleStats> {
    const decision = await this.peek(key, options);
    if (key === EXEMPTED || decision.exempt === true) return { uid: this.uid, key: decision.key, decision, rates: [] };
    const identity = decision.key;
    const resolved = this.rates.fixed ?? (await this.rates.resolve(identity, options?.context));
    const scope = scopeKey(this.uidPart, identity);
    return describeThrottleState(this.backend, this.strategy, scope, resolved.rates, resolved.suffixes.map((s) => scope + s), decision);
  }

  /** The decision `hit` would give now, consuming nothing. */
  peek(key: string | Exempted, options?: HitOptions<Ctx>): Promise<Decision> {
    return this.run(key, options, true);
  }

  /**
   * Records several hits for `key` in order, in one atomic backend step (one
   * round trip): as if `hit` were called once per cost, one after another.
   * Resolves with one decision per cost. Used to charge a whole list at once.
   */
  hitMany(key: string | Exempted, costs: readonly number[], options?: { context?: Ctx }): Promise<Decision[]> {
    if (this.reporter === undefined) return this.runMany(key, costs, options);
    const started = this.reporter!.start();
    return this.runMany(key, costs, options).then(
      (decisions) => {
        for (const decision of decisions) this.reporter!.report(decision, started);
        return decisions;
      },
      (error: unknown) => {
        this.reporter!.reportRejection(key, error, started);
        throw error;
      },
    );
  }

  private async runMany(key: string | Exempted, costs: readonly number[], options?: { context?: Ctx }): Promise<Decision[]> {
    if (key === EXEMPTED) return costs.map(() => ({ ...unlimitedStep(), cost: 0, uid: this.uid, key: 'EXEMPTED', exempt: true }));
    const identity = this.checkKey(key);
    let total = 0;
    for (let j = 0; j < costs.length; j++) total += this.checkCost(costs[j]);
    const checked = costs.slice();
    const context = options?.context;
    const resolved = this.rates.fixed ?? (await this.rates.resolve(identity, context));
    if (resolved.rates.length === 0 || checked.length === 0) {
      return checked.map((cost) => ({ ...unlimitedStep(), cost, uid: this.uid, key: identity }));
    }
    const scope = scopeKey(this.uidPart, identity);
    const keys = resolved.suffixes.map((s) => scope + s);
    let batches: readonly (readonly StepDecision[])[];
    let error: unknown;
    const request: ApplyRequest = { strategy: this.strategy, scope, keys, rates: resolved.rates, cost: total };
    try {
      const args = this.strategy.argsFor?.(identity, context);
      const batch = { strategy: this.strategy, scope, keys, rates: resolved.rates, costs: checked, ...(args ? { args } : {}) };
      batches = await (this.guarded
        ? callBackend(this.backend, request, this.hooks, () => this.backend.applyBatch(batch))
        : this.backend.applyBatch(batch));
    } catch (caught) {
      const failure = asBackendFailure(caught);
      error = failure;
      const fallback = errorDecisions(await this.handleError(failure, request, identity, context), resolved.rates, this.minWaitMs);
      batches = checked.map(() => fallback);
    }
    const out: Decision[] = new Array(batches.length);
    for (let j = 0; j < batches.length; j++) out[j] = this.decide(batches[j]!, resolved.rates, checked[j]!, identity, error);
    return out;
  }

  /** Like `hit`, but rejects with `RateLimitExceededError` (carrying the decision) when denied. */
  async enforce(key: string | Exempted, options?: HitOptions<Ctx>): Promise<Decision> {
    const decision = await this.hit(key, options);
    if (!decision.allowed) throw new RateLimitExceededError(decision);
    return decision;
  }

  /**
   * Takes a slot for `key` (a hit of the throttle's cost) and returns the
   * decision with a `release()` that gives the slot back: call it when the
   * work ends, however it ends. With a strategy that holds no slots (any but
   * `ConcurrencyLimitStrategy` and wrappers of it) this is `hit` with a
   * no-op release. `release()` is idempotent and never rejects: a failure
   * goes to `options.onReleaseError`, else to the `onError` handler, and the
   * slot frees itself when its lease expires.
   */
  async acquire(key: string | Exempted, options?: AcquireOptions<Ctx>): Promise<Acquired> {
    const strategy = this.strategy;
    if (!isLeaseStrategy(strategy) || key === EXEMPTED) return acquiredWithoutLease(await this.hit(key, options));
    const leaseId = newLeaseId();
    const context = options?.context;
    const decision = await this.run(key, options, false, strategy.acquireArgs(leaseId, context, this.checkKey(key)));
    if (!decision.allowed || decision.exempt === true || decision.cost === 0 || decision.limit === Infinity) {
      return acquiredWithoutLease(decision);
    }
    const identity = decision.key;
    let request: ApplyRequest | undefined;
    const send = async (args: StepArgs, cost: number): Promise<void> => {
      const resolved = this.rates.fixed ?? (await this.rates.resolve(identity, context));
      const scope = scopeKey(this.uidPart, identity);
      request = { strategy, scope, keys: resolved.suffixes.map((s) => scope + s), rates: resolved.rates, cost, args };
      await this.backend.apply(request);
    };
    const rates = (this.rates.fixed ?? (await this.rates.resolve(identity, context))).rates;
    const calls = leaseCalls(strategy, { leaseId, key: identity, context, cost: decision.cost, rates, heartbeat: options?.heartbeat }, send);
    const onFailure = async (error: unknown): Promise<void> => {
      if (options?.onReleaseError !== undefined) return options.onReleaseError(error);
      const policy = this.onErrorOption ?? this.backend.onError;
      if (typeof policy !== 'function' || request === undefined) return;
      const info = { uid: this.uid, key: identity, cost: 0, rates: request.rates, backend: this.backend, strategy, request, context, minWaitMs: this.minWaitMs };
      await policy(asBackendFailure(error), info);
    };
    return acquiredWithLease(decision, calls, onFailure);
  }

  /** Forgets `key`'s state for every rate of this throttle (for a rate function: the rates it gives for `context`). */
  async reset(key: string, options?: { context?: Ctx }): Promise<void> {
    const identity = this.checkKey(key);
    const resolved = this.rates.fixed ?? (await this.rates.resolve(identity, options?.context));
    const scope = scopeKey(this.uidPart, identity);
    await this.backend.reset(scope, resolved.suffixes.map((suffix) => scope + suffix));
  }

  private async run(key: string | Exempted, options: HitOptions<Ctx> | undefined, dryRun: boolean, args?: StepArgs): Promise<Decision> {
    // Reported to onDecision (hits only, not peeks); timed on 1 hit in timingSampleEvery.
    const observed = this.reporter !== undefined && !dryRun;
    const started = observed ? this.reporter!.start() : -1;
    if (key === EXEMPTED) {
      const exempt: Decision = { ...unlimitedStep(), cost: 0, uid: this.uid, key: 'EXEMPTED', exempt: true };
      if (observed) this.reporter!.report(exempt, started);
      return exempt;
    }
    const identity = this.checkKey(key);
    const context = options?.context;
    let cost: number;
    if (options?.cost !== undefined) cost = this.checkCost(options.cost);
    else if (this.fixedCost !== undefined) cost = this.fixedCost;
    else cost = this.checkCost(await this.costFunction!(identity, context));
    const resolved = this.rates.fixed ?? (await this.rates.resolve(identity, context));
    if (resolved.rates.length === 0) {
      const unlimited: Decision = { ...unlimitedStep(), cost, uid: this.uid, key: identity };
      if (observed) this.reporter!.report(unlimited, started);
      return unlimited;
    }
    const scope = scopeKey(this.uidPart, identity);
    const keys = resolved.suffixes.length === 1 ? [scope + resolved.suffixes[0]!] : resolved.suffixes.map((s) => scope + s);
    const request: ApplyRequest = { strategy: this.strategy, scope, keys, rates: resolved.rates, cost, dryRun };
    if (args !== undefined) (request as { args?: StepArgs }).args = args;
    else if (this.strategy.argsFor !== undefined) (request as { args?: StepArgs }).args = this.strategy.argsFor(identity, context);
    let decisions: readonly StepDecision[];
    let error: unknown;
    try {
      // Guarded: the handler's preempt hook may skip the backend (an open circuit); the call is bounded by timeoutMs.
      decisions = await (this.guarded
        ? callBackend(this.backend, request, this.hooks, () => this.backend.apply(request))
        : this.backend.apply(request));
    } catch (caught) {
      const failure = asBackendFailure(caught);
      error = failure;
      let result: OnErrorResult;
      try {
        result = await this.handleError(failure, request, identity, context);
      } catch (raised) {
        if (observed) this.reporter!.reportRejection(identity, raised, started);
        throw raised;
      }
      decisions = errorDecisions(result, resolved.rates, this.minWaitMs);
    }
    const decision = this.decide(decisions, resolved.rates, cost, identity, error);
    if (observed) this.reporter!.report(decision, started);
    return decision;
  }

  private decide(decisions: readonly StepDecision[], rates: readonly Rate[], cost: number, key: string, error: unknown): Decision {
    const merged = decisions.length === 1 ? decisions[0]! : mergeStepDecisions(decisions);
    const decision: Decision = {
      allowed: merged.allowed, limit: merged.limit, remaining: merged.remaining,
      retryAfterMs: merged.retryAfterMs, resetAfterMs: merged.resetAfterMs, delayMs: merged.delayMs,
      cost, uid: this.uid, key,
    };
    if (!decision.allowed && decision.retryAfterMs < this.minWaitMs) decision.retryAfterMs = this.minWaitMs;
    if (decisions.length > 1) {
      decision.policies = decisions.map((d, i): PolicyDecision => ({ ...d, rate: rates[i]! }));
    }
    if (error !== undefined) decision.error = error;
    return decision;
  }

  /** Runs the throttle's error policy (else the backend's, else `'throttle'`) on a failed hit. */
  private handleError(error: TraffikError, request: ApplyRequest, key: string, context: unknown): OnErrorResult | Promise<OnErrorResult> {
    const policy = this.onErrorOption ?? this.backend.onError ?? DEFAULT_ON_ERROR;
    return applyErrorPolicy(policy, error, {
      uid: this.uid, key, cost: request.cost, rates: request.rates, backend: this.backend,
      strategy: this.strategy, request, context, minWaitMs: this.minWaitMs,
    });
  }

  private checkKey(key: unknown): string {
    if (typeof key === 'string') return key;
    if (typeof key === 'number' && Number.isFinite(key)) return String(key);
    throw new ConfigurationError(`Throttle "${this.uid}": key must be a string or EXEMPTED, got ${describeValue(key)}`);
  }

  private checkCost(cost: unknown): number {
    if (typeof cost !== 'number' || !Number.isSafeInteger(cost) || cost < 0) {
      throw new ConfigurationError(`Throttle "${this.uid}": cost must be a whole number >= 0, got ${describeValue(cost)}`);
    }
    return cost;
  }


}

