import { acquiredWithLease, acquiredWithoutLease, leaseCalls, newLeaseId, type AcquireOptions, type Acquired } from '../acquire.js';
import type { ApplyRequest, Backend } from '../backends/backend.js';
import type { Decision, StepDecision } from '../decision.js';
import { ConfigurationError, describeValue, RateLimitExceededError } from '../errors.js';
import { EXEMPTED, type Exempted } from '../exempted.js';
import { scopeKey } from '../keys.js';
import { describeThrottleState, type ThrottleStats } from '../metrics/throttle-stats.js';
import { asBackendFailure } from '../on-error.js';
import { isLeaseStrategy } from '../strategies/concurrency-limit.js';
import type { AnyStrategy, StepArgs } from '../strategies/strategy.js';
import { decideOne } from './decide.js';
import { HIT, PEEK, ThrottleEngine, type FastPath } from './engine.js';
import {
  CALL_OPTIONS, checkCallOptions, checkHitOptions,
  type BackendFunction, type ContextOptions, type HitOptions, type ThrottleMode, type ThrottleOptions, type WaitOptions,
} from './options.js';
import { WaitLines } from './wait-lines.js';

/**
 * A named limit: decides hits for identity keys against one or more rates,
 * with one strategy, on one backend (or one chosen per hit). Each hit,
 * refund and charge is one atomic backend step (one round trip on Redis); a
 * denied hit changes nothing.
 */
export class Throttle<Ctx = unknown> {
  /** The throttle's uid. */
  readonly uid: string;
  /** The strategy every hit runs. */
  readonly strategy: AnyStrategy;
  /** The backend holding the state, or the function choosing it per hit (as given; default: the shared in-process backend). */
  readonly backend: Backend | BackendFunction<Ctx>;
  /** The minimum wait of a denied hit, in ms. */
  readonly minWaitMs: number;
  /** `'enforce'` or `'shadow'` (never denies; see `ThrottleMode`). */
  readonly mode: ThrottleMode;
  private readonly engine: ThrottleEngine<Ctx>;
  /** The waiters of `wait`, per backend (tenants of a backend function never queue behind each other). */
  private readonly lines = new WeakMap<Backend, WaitLines>();

  /** Checks every option (a `ConfigurationError` names the wrong value) and builds the throttle. */
  constructor(options: ThrottleOptions<Ctx>) {
    const engine = new ThrottleEngine(options);
    this.engine = engine;
    this.uid = engine.uid;
    this.strategy = engine.strategy;
    this.backend = engine.backend;
    this.minWaitMs = engine.minWaitMs;
    this.mode = engine.mode;
  }

  /**
   * Records a hit of `cost` (default: the throttle's) for `key` and returns
   * the decision. Denied hits change nothing. `EXEMPTED` is always allowed
   * without touching the backend. Rejects with `ConfigurationError` for a bad
   * key, cost or option name (before any state changes), with
   * `FunctionTimeoutError` when a cost or rate function does not settle in
   * `functionTimeoutMs`, and with the backend's error only when `onError` is
   * `'raise'` (or a handler throws). In shadow mode it never denies.
   */
  hit(key: string | Exempted, options?: HitOptions<Ctx>): Promise<Decision> {
    if (options !== undefined) {
      try {
        checkHitOptions(`Throttle "${this.uid}"`, options);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (this.engine.fast !== undefined && typeof key === 'string') {
      const decided = this.hitInProcess(this.engine.fast, key, options);
      if (decided !== undefined) return decided;
    }
    return this.engine.run(key, options?.context, options?.cost, HIT);
  }

  /**
   * The hot path for an in-process backend with one fixed rate: one
   * synchronous step, no arrays, no awaits. Returns `undefined` (so `hit`
   * takes the general path, which handles the case fully) when the cost
   * needs a function or checking, or the backend throws.
   */
  private hitInProcess(fast: FastPath, key: string, options: HitOptions<Ctx> | undefined): Promise<Decision> | undefined {
    const cost = options === undefined || options.cost === undefined ? this.engine.fixedCost : options.cost;
    if (typeof cost !== 'number' || !Number.isSafeInteger(cost) || cost < 0) return undefined;
    const started = this.engine.reporter === undefined ? -1 : this.engine.reporter.start();
    let step: StepDecision;
    try {
      step = fast.backend.applyIndexed(fast.index, key, this.strategy, fast.rate, cost);
    } catch {
      return undefined;
    }
    const decision = decideOne(this.engine.settings, step, cost, key);
    if (this.engine.reporter !== undefined) this.engine.reporter.report(decision, started);
    return Promise.resolve(decision);
  }

  /**
   * What `key`'s state is now, in words (`strategy.describe`, per rate), and
   * the decision a hit would get now (a `peek`: nothing consumed). `rates[i].state`
   * is `undefined` when the backend cannot read raw state (no `Backend.read`)
   * or the strategy has no `describe`. Rejects as `peek` does.
   */
  async stats(key: string | Exempted, options?: HitOptions<Ctx>): Promise<ThrottleStats> {
    checkCallOptions(`Throttle "${this.uid}"`, 'stats', options, CALL_OPTIONS.hit);
    const context = options?.context;
    const backend = key === EXEMPTED ? undefined : this.engine.backendFor(context);
    const decision = await this.engine.run(key, context, options?.cost, { ...PEEK, ...(backend ? { backend } : {}) });
    if (backend === undefined || decision.exempt === true) return { uid: this.uid, key: decision.key, decision, rates: [] };
    const identity = decision.key;
    const resolved = this.engine.rates.fixed ?? (await this.engine.resolveRates(identity, context));
    const scope = scopeKey(this.uid, identity);
    return describeThrottleState(backend, this.strategy, scope, resolved.rates, resolved.suffixes.map((s) => scope + s), decision);
  }

  /** The decision `hit` would give now, consuming nothing. Rejects as `hit` does. */
  async peek(key: string | Exempted, options?: HitOptions<Ctx>): Promise<Decision> {
    checkCallOptions(`Throttle "${this.uid}"`, 'peek', options, CALL_OPTIONS.hit);
    return this.engine.run(key, options?.context, options?.cost, PEEK);
  }

  /**
   * Gives back up to `units` units admitted earlier for `key` (never more
   * than the state holds), in one atomic step: for the work that turned out
   * not to count (a successful login under a "failed logins" limit). The
   * decision describes the state afterwards. Needs a strategy with
   * `supportsChargeAndRefund` (else rejects with `ConfigurationError` naming
   * it). `EXEMPTED` is a no-op. A store failure goes to `onError` like a
   * hit's; the decision then carries `error` (nothing was given back).
   */
  refund(key: string | Exempted, units: number, options?: ContextOptions<Ctx>): Promise<Decision> {
    return this.adjust('refund', key, units, options);
  }

  /**
   * Records `units` units for `key` even past the limit (a forced charge),
   * in one atomic step: for costs known only after the work (tokens an LLM
   * call used). Always allowed; later hits are denied until the excess has
   * drained. Same rules as `refund` otherwise.
   */
  charge(key: string | Exempted, units: number, options?: ContextOptions<Ctx>): Promise<Decision> {
    return this.adjust('charge', key, units, options);
  }

  private async adjust(op: 'refund' | 'charge', key: string | Exempted, units: number, options: ContextOptions<Ctx> | undefined): Promise<Decision> {
    checkCallOptions(`Throttle "${this.uid}"`, op, options, CALL_OPTIONS.context);
    if (this.strategy.supportsChargeAndRefund !== true) {
      throw new ConfigurationError(`Throttle "${this.uid}": ${op} needs a strategy that supports charge and refund; ${this.strategy.name} does not (see supportsChargeAndRefund)`);
    }
    const cost = this.engine.checkCost(units, 'units');
    return this.engine.run(key, options?.context, cost, op === 'refund' ? { dryRun: false, op: 'refund' } : { dryRun: false, op: 'charge' });
  }

  /**
   * Waits until a hit of `cost` on `key` is admitted, and resolves with the
   * admitting decision. Waiters on one key in this process are admitted in
   * call order (FIFO): only the first hits the backend, retrying at its
   * `retryAfterMs` (a timer, no polling); each try is a hit (reported to
   * `onDecision`). Rejects with `WaitTimeoutError` as soon as the hit cannot
   * be admitted within `maxWaitMs` (default 60000; at once when it never
   * can), with `signal.reason` at once on abort, and as `hit` rejects. In
   * shadow mode, and for `EXEMPTED`, it is one hit, returned at once.
   * Other processes are not queued: under contention they may go first. A
   * backend function is called once per wait; each backend has its own lines.
   */
  async wait(key: string | Exempted, options?: WaitOptions<Ctx>): Promise<Decision> {
    const owner = `Throttle "${this.uid}"`;
    checkCallOptions(owner, 'wait', options, CALL_OPTIONS.wait);
    const maxWaitMs = options?.maxWaitMs ?? 60_000;
    if (typeof maxWaitMs !== 'number' || Number.isNaN(maxWaitMs) || maxWaitMs < 0) {
      throw new ConfigurationError(`${owner}: wait: maxWaitMs must be a number of ms >= 0 (or Infinity), got ${describeValue(maxWaitMs)}`);
    }
    const signal = options?.signal;
    if (signal !== undefined && (signal === null || typeof signal !== 'object' || typeof signal.addEventListener !== 'function')) {
      throw new ConfigurationError(`${owner}: wait: signal must be an AbortSignal, got ${describeValue(signal)}`);
    }
    const hitOptions: HitOptions<Ctx> = {};
    if (options?.cost !== undefined) hitOptions.cost = this.engine.checkCost(options.cost);
    if (options?.context !== undefined) hitOptions.context = options.context;
    if (key === EXEMPTED || this.engine.settings.shadow) return this.hit(key, hitOptions);
    const identity = this.engine.checkKey(key);
    const backend = this.engine.backendFor(options?.context);
    let lines = this.lines.get(backend);
    if (lines === undefined) {
      lines = new WaitLines();
      this.lines.set(backend, lines);
    }
    // A fixed backend keeps hit's fast path; a chosen one is chosen once per wait and used for every try.
    const attempt = this.engine.plain !== undefined
      ? () => this.hit(identity, hitOptions)
      : () => this.engine.run(identity, hitOptions.context, hitOptions.cost, { ...HIT, backend });
    return lines.enqueue(identity, attempt, maxWaitMs, signal);
  }

  /**
   * Records several hits for `key` in order, in one atomic backend step (one
   * round trip): as if `hit` were called once per cost, one after another.
   * Resolves with one decision per cost. Used to charge a whole list at once.
   */
  hitMany(key: string | Exempted, costs: readonly number[], options?: ContextOptions<Ctx>): Promise<Decision[]> {
    try {
      checkCallOptions(`Throttle "${this.uid}"`, 'hitMany', options, CALL_OPTIONS.context);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.engine.reporter === undefined) return this.engine.runMany(key, costs, options?.context);
    const reporter = this.engine.reporter;
    const started = reporter.start();
    return this.engine.runMany(key, costs, options?.context).then(
      (decisions) => {
        for (const decision of decisions) reporter.report(decision, started);
        return decisions;
      },
      (error: unknown) => {
        reporter.reportRejection(key, error, started);
        throw error;
      },
    );
  }

  /** Like `hit`, but rejects with `RateLimitExceededError` (carrying the decision) when denied. Never rejects for a denial in shadow mode. */
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
   * slot frees itself when its lease expires. The release goes to the
   * backend the slot was taken on.
   */
  async acquire(key: string | Exempted, options?: AcquireOptions<Ctx>): Promise<Acquired> {
    checkCallOptions(`Throttle "${this.uid}"`, 'acquire', options, CALL_OPTIONS.acquire);
    const strategy = this.strategy;
    const hitOptions = options === undefined ? undefined : { cost: options.cost, context: options.context };
    if (!isLeaseStrategy(strategy) || key === EXEMPTED) return acquiredWithoutLease(await this.hit(key, hitOptions));
    const leaseId = newLeaseId();
    const context = options?.context;
    const backend = this.engine.backendFor(context);
    const args = strategy.acquireArgs(leaseId, context, this.engine.checkKey(key));
    const decision = await this.engine.run(key, context, options?.cost, { dryRun: false, op: 'hit', args, backend });
    if (!decision.allowed || decision.shadowDenied === true || decision.exempt === true || decision.cost === 0 || decision.limit === Infinity) {
      return acquiredWithoutLease(decision);
    }
    const identity = decision.key;
    let request: ApplyRequest | undefined;
    const send = async (sendArgs: StepArgs, cost: number): Promise<void> => {
      const resolved = this.engine.rates.fixed ?? (await this.engine.resolveRates(identity, context));
      const scope = scopeKey(this.uid, identity);
      request = { strategy, scope, keys: resolved.suffixes.map((s) => scope + s), rates: resolved.rates, cost, args: sendArgs };
      await backend.apply(request);
    };
    const rates = (this.engine.rates.fixed ?? (await this.engine.resolveRates(identity, context))).rates;
    const calls = leaseCalls(strategy, { leaseId, key: identity, context, cost: decision.cost, rates, heartbeat: options?.heartbeat }, send);
    const onFailure = async (error: unknown): Promise<void> => {
      if (options?.onReleaseError !== undefined) return options.onReleaseError(error);
      const policy = this.engine.onErrorOption ?? backend.onError;
      if (typeof policy !== 'function' || request === undefined) return;
      const info = { uid: this.uid, key: identity, cost: 0, rates: request.rates, backend, strategy, request, context, minWaitMs: this.minWaitMs };
      await policy(asBackendFailure(error), info);
    };
    return acquiredWithLease(decision, calls, onFailure);
  }

  /** Forgets `key`'s state for every rate of this throttle (for a rate function: the rates it gives for `context`). */
  async reset(key: string, options?: ContextOptions<Ctx>): Promise<void> {
    checkCallOptions(`Throttle "${this.uid}"`, 'reset', options, CALL_OPTIONS.context);
    const identity = this.engine.checkKey(key);
    const resolved = this.engine.rates.fixed ?? (await this.engine.resolveRates(identity, options?.context));
    const scope = scopeKey(this.uid, identity);
    await this.engine.backendFor(options?.context).reset(scope, resolved.suffixes.map((suffix) => scope + suffix));
  }
}
