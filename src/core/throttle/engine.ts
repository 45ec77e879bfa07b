import { bounded, callBackend, isBackend } from '../backend-call.js';
import type { ApplyRequest, Backend } from '../backends/backend.js';
import { InMemoryBackend, type KeyIndex } from '../backends/in-memory.js';
import { unlimitedStep, type Decision, type StepDecision } from '../decision.js';
import { ConfigurationError, describeValue, type TraffikError } from '../errors.js';
import { EXEMPTED, type Exempted } from '../exempted.js';
import { keyPart, scopeKey } from '../keys.js';
import { DecisionReporter } from '../metrics/decision-reporter.js';
import { DEFAULT_ON_ERROR, applyErrorPolicy, asBackendFailure, errorDecisions, type OnError, type OnErrorHandler } from '../on-error.js';
import { checkOptionNames, checkWholeNumber } from '../options.js';
import type { Rate } from '../rate.js';
import { RateSet, type ResolvedRates } from '../rate-set.js';
import { FixedWindowStrategy } from '../strategies/fixed-window.js';
import type { AnyStrategy, StepArgs, StepOp } from '../strategies/strategy.js';
import { boundUserFunction, DEFAULT_FUNCTION_TIMEOUT_MS } from '../time-bounds.js';
import { decide, type DecideSettings } from './decide.js';
import { defaultBackend } from './default-backend.js';
import { THROTTLE_OPTIONS, type BackendFunction, type CostFunction, type Logger, type ThrottleMode, type ThrottleOptions } from './options.js';
import { backendAnswered, backendFailed } from './outage-log.js';

/** What the in-process hot path needs: set when the backend is in-process, with one fixed rate and nothing that must see every call. */
export interface FastPath {
  backend: InMemoryBackend;
  rate: Rate;
  index: KeyIndex;
}

/** How calls to one backend are guarded: the error handler's hooks, and whether every call must go through `callBackend`. */
interface Guard {
  readonly hooks: OnErrorHandler | undefined;
  readonly guarded: boolean;
}

/** One call's intent: peek or not, what the step does with the cost, the strategy's args, the backend already chosen. */
export interface Call {
  readonly dryRun: boolean;
  readonly op: StepOp;
  readonly args?: StepArgs;
  readonly backend?: Backend;
}

/** The call of a hit: `backend.apply` (one function for every hit: no closure per hit). */
const APPLY = (backend: Backend, request: ApplyRequest): Promise<StepDecision[]> => backend.apply(request);

/** A plain hit. */
export const HIT: Call = { dryRun: false, op: 'hit' };
/** A peek: decided, nothing stored, not reported. */
export const PEEK: Call = { dryRun: true, op: 'hit' };

function guardOf(policy: OnError | undefined, backend: Backend): Guard {
  const hooks = typeof policy === 'function' && (policy.preempt !== undefined || policy.succeeded !== undefined) ? policy : undefined;
  return { hooks, guarded: hooks !== undefined || backend.timeoutMs !== undefined };
}

function checkLogger(uid: string, logger: unknown): Logger | undefined {
  if (logger === undefined) return console;
  if (logger === false) return undefined;
  if (logger === null || typeof logger !== 'object' || typeof (logger as Logger).warn !== 'function' || typeof (logger as Logger).error !== 'function') {
    throw new ConfigurationError(`Throttle "${uid}": logger must be false or an object with warn and error functions (e.g. console), got ${describeValue(logger)}`);
  }
  return logger as Logger;
}

/**
 * The machinery behind `Throttle` (internal): the checked options, and one
 * call decided against the store (cost and rates resolved, the backend
 * chosen and called, a failure logged and handed to `onError`, the decision
 * made and reported). `Throttle` holds one and adds the public methods.
 */
export class ThrottleEngine<Ctx> {
  /** The throttle's uid. */
  readonly uid: string;
  /** The strategy every call runs. */
  readonly strategy: AnyStrategy;
  /** The `backend` option as given (the shared in-process backend when omitted). */
  readonly backend: Backend | BackendFunction<Ctx>;
  /** The minimum wait of a denied hit, in ms. */
  readonly minWaitMs: number;
  /** `'enforce'` or `'shadow'`. */
  readonly mode: ThrottleMode;
  /** What `decide` needs: uid, minWaitMs, shadow. */
  readonly settings: DecideSettings;
  /** The throttle's own `onError`, if any (else the backend's applies). */
  readonly onErrorOption: OnError | undefined;
  /** The backend when it is fixed; `undefined` with a backend function. */
  readonly plain: Backend | undefined;
  private readonly pickBackend: BackendFunction<Ctx> | undefined;
  private readonly plainGuard: Guard;
  /** The throttle's rates, fixed or chosen per hit. */
  readonly rates: RateSet<Ctx>;
  /** Feeds `onDecision`, when given. */
  readonly reporter: DecisionReporter | undefined;
  readonly fixedCost: number | undefined;
  private readonly costFunction: CostFunction<Ctx> | undefined;
  private readonly logger: Logger | undefined;
  private readonly functionTimeoutMs: number;
  /** Set when hits can take the in-process hot path. */
  readonly fast: FastPath | undefined;

  constructor(options: ThrottleOptions<Ctx>) {
    checkOptionNames('Throttle', options, THROTTLE_OPTIONS);
    if (options === undefined) throw new ConfigurationError('Throttle: options are required ({ uid, rate })');
    const { uid, rate, strategy = new FixedWindowStrategy(), backend, cost = 1, onError, minWaitMs = 0, mode = 'enforce' } = options;
    if (typeof uid !== 'string' || uid.length === 0) {
      throw new ConfigurationError(`Throttle: uid must be a non-empty string, got ${describeValue(uid)}`);
    }
    this.uid = uid;
    const owner = `Throttle "${uid}"`;
    if (strategy === null || typeof strategy !== 'object' || typeof strategy.step !== 'function' || typeof strategy.name !== 'string') {
      throw new ConfigurationError(`${owner}: strategy must implement the Strategy interface, got ${describeValue(strategy)}`);
    }
    this.strategy = strategy;
    if (typeof backend === 'function') this.pickBackend = backend;
    else if (backend !== undefined && !isBackend(backend)) {
      throw new ConfigurationError(`${owner}: backend must implement the Backend interface or be a function of the context, got ${describeValue(backend)}`);
    } else this.plain = backend ?? defaultBackend();
    this.backend = this.plain ?? backend!;
    this.rates = new RateSet(owner, strategy, rate);
    if (typeof cost === 'function') this.costFunction = cost;
    else this.fixedCost = this.checkCost(cost);
    if (onError !== undefined && typeof onError !== 'function' && onError !== 'allow' && onError !== 'throttle' && onError !== 'raise') {
      throw new ConfigurationError(`${owner}: onError must be 'allow', 'throttle', 'raise' or a function, got ${describeValue(onError)}`);
    }
    this.onErrorOption = onError;
    this.minWaitMs = checkWholeNumber(owner, 'minWaitMs', minWaitMs, 0);
    if (mode !== 'enforce' && mode !== 'shadow') throw new ConfigurationError(`${owner}: mode must be 'enforce' or 'shadow', got ${describeValue(mode)}`);
    this.mode = mode;
    this.settings = { uid, minWaitMs: this.minWaitMs, shadow: mode === 'shadow' };
    this.logger = checkLogger(uid, options.logger);
    this.functionTimeoutMs = checkWholeNumber(owner, 'functionTimeoutMs', options.functionTimeoutMs ?? DEFAULT_FUNCTION_TIMEOUT_MS, 1);
    this.plainGuard = this.plain === undefined ? { hooks: undefined, guarded: false } : guardOf(onError ?? this.plain.onError, this.plain);
    if (options.onDecision !== undefined && typeof options.onDecision !== 'function') {
      throw new ConfigurationError(`${owner}: onDecision must be a function, got ${describeValue(options.onDecision)}`);
    }
    // In-process hits take well under a microsecond, so timing each would cost a large share; remote ones take 100 µs+.
    const sampleDefault = this.plain instanceof InMemoryBackend ? 64 : 1;
    const sampleEvery = checkWholeNumber(owner, 'timingSampleEvery', options.timingSampleEvery ?? sampleDefault, 1);
    if (options.onDecision !== undefined) this.reporter = new DecisionReporter(uid, options.onDecision, sampleEvery);
    const only = this.rates.fixed?.rates.length === 1 ? this.rates.fixed : undefined;
    if (this.plain instanceof InMemoryBackend && only !== undefined && this.strategy.argsFor === undefined && !this.plainGuard.guarded) {
      this.fast = { backend: this.plain, rate: only.rates[0]!, index: this.plain.index(keyPart(uid), only.suffixes[0]!) };
    }
  }

  /** Decides one call (hit, peek, refund, charge) on the store; reports it to `onDecision` unless it is a peek. */
  async run(key: string | Exempted, context: Ctx | undefined, givenCost: number | undefined, call: Call): Promise<Decision> {
    // Reported to onDecision (hits, refunds, charges; not peeks); timed on 1 hit in timingSampleEvery.
    const reporter = call.dryRun ? undefined : this.reporter;
    const started = reporter === undefined ? -1 : reporter.start();
    if (key === EXEMPTED) {
      const exempt: Decision = { ...unlimitedStep(), cost: 0, uid: this.uid, key: 'EXEMPTED', exempt: true };
      reporter?.report(exempt, started);
      return exempt;
    }
    const identity = this.checkKey(key);
    let cost: number;
    if (givenCost !== undefined) cost = this.checkCost(givenCost);
    else if (this.fixedCost !== undefined) cost = this.fixedCost;
    else cost = this.checkCost(await boundUserFunction(`Throttle "${this.uid}": cost function`, this.costFunction!(identity, context), this.functionTimeoutMs));
    const resolved = this.rates.fixed ?? (await this.resolveRates(identity, context));
    if (resolved.rates.length === 0) {
      const unlimited: Decision = { ...unlimitedStep(), cost, uid: this.uid, key: identity };
      reporter?.report(unlimited, started);
      return unlimited;
    }
    const backend = call.backend ?? this.backendFor(context);
    const scope = scopeKey(this.uid, identity);
    const keys = resolved.suffixes.length === 1 ? [scope + resolved.suffixes[0]!] : resolved.suffixes.map((s) => scope + s);
    const args = call.args ?? this.strategy.argsFor?.(identity, context);
    // One literal of one shape (no spread of optional fields: that costs an allocation per hit).
    const request: ApplyRequest = { strategy: this.strategy, scope, keys, rates: resolved.rates, cost, dryRun: call.dryRun, op: call.op, args };
    let decisions: readonly StepDecision[];
    let error: unknown;
    try {
      decisions = await this.callStore(backend, request, APPLY);
      if (this.logger !== undefined) backendAnswered(this.logger, backend);
    } catch (caught) {
      error = asBackendFailure(caught);
      try {
        decisions = errorDecisions(await this.handleError(backend, error as TraffikError, request, identity, context), resolved.rates, this.minWaitMs);
      } catch (raised) {
        reporter?.reportRejection(identity, raised, started);
        throw raised;
      }
    }
    const decision = decide(this.settings, decisions, resolved.rates, cost, identity, error);
    reporter?.report(decision, started);
    return decision;
  }

  /**
   * One call to the store, guarded when the backend or handler needs it (the
   * handler's preempt hook may skip the backend, e.g. an open circuit; the
   * call is bounded by `timeoutMs`). Not async: a plain hit on an unguarded
   * backend is the backend's own promise, and a guarded one adds only the
   * bound (bench row "traffik fixed window" at 64 in flight,
   * bench/suites/redis.ts). The caller tells the outage log of a success.
   */
  private callStore<T>(backend: Backend, request: ApplyRequest, call: (backend: Backend, request: ApplyRequest) => Promise<T>): Promise<T> {
    const guard = backend === this.plain ? this.plainGuard : guardOf(this.onErrorOption, backend);
    if (!guard.guarded) return call(backend, request);
    if (guard.hooks === undefined) return bounded(backend, call(backend, request));
    return callBackend(backend, request, guard.hooks, () => call(backend, request));
  }

  /** Logs the outage (once), then runs the throttle's error policy (else the backend's, else `'throttle'`) on a failed call. */
  private handleError(backend: Backend, error: TraffikError, request: ApplyRequest, key: string, context: unknown): ReturnType<typeof applyErrorPolicy> {
    const policy = this.onErrorOption ?? backend.onError ?? DEFAULT_ON_ERROR;
    if (this.logger !== undefined) backendFailed(this.logger, this.uid, backend, error, typeof policy === 'function' ? 'a handler' : `'${policy}'`);
    return applyErrorPolicy(policy, error, {
      uid: this.uid, key, cost: request.cost, rates: request.rates, backend,
      strategy: this.strategy, request, context, minWaitMs: this.minWaitMs,
    });
  }

  /** Decides several hits of one key in one atomic step (`Throttle.hitMany`). */
  async runMany(key: string | Exempted, costs: readonly number[], context: Ctx | undefined): Promise<Decision[]> {
    if (key === EXEMPTED) return costs.map(() => ({ ...unlimitedStep(), cost: 0, uid: this.uid, key: 'EXEMPTED', exempt: true }));
    const identity = this.checkKey(key);
    let total = 0;
    for (let j = 0; j < costs.length; j++) total += this.checkCost(costs[j]);
    const checked = costs.slice();
    const resolved = this.rates.fixed ?? (await this.resolveRates(identity, context));
    if (resolved.rates.length === 0 || checked.length === 0) {
      return checked.map((cost) => ({ ...unlimitedStep(), cost, uid: this.uid, key: identity }));
    }
    const backend = this.backendFor(context);
    const scope = scopeKey(this.uid, identity);
    const keys = resolved.suffixes.map((s) => scope + s);
    let batches: readonly (readonly StepDecision[])[];
    let error: unknown;
    const request: ApplyRequest = { strategy: this.strategy, scope, keys, rates: resolved.rates, cost: total };
    try {
      const args = this.strategy.argsFor?.(identity, context);
      const batch = { strategy: this.strategy, scope, keys, rates: resolved.rates, costs: checked, ...(args ? { args } : {}) };
      batches = await this.callStore(backend, request, () => backend.applyBatch(batch));
      if (this.logger !== undefined) backendAnswered(this.logger, backend);
    } catch (caught) {
      error = asBackendFailure(caught);
      const fallback = errorDecisions(await this.handleError(backend, error as TraffikError, request, identity, context), resolved.rates, this.minWaitMs);
      batches = checked.map(() => fallback);
    }
    const out: Decision[] = new Array(batches.length);
    for (let j = 0; j < batches.length; j++) out[j] = decide(this.settings, batches[j]!, resolved.rates, checked[j]!, identity, error);
    return out;
  }

  /** The backend of one call: the fixed one, or what the backend function gives for `context` (checked). */
  backendFor(context: Ctx | undefined): Backend {
    if (this.plain !== undefined) return this.plain;
    const chosen = this.pickBackend!(context);
    if (!isBackend(chosen)) {
      throw new ConfigurationError(`Throttle "${this.uid}": the backend function returned ${describeValue(chosen)}, not a Backend`);
    }
    return chosen;
  }

  /** The rates a rate function gives for (key, context), bounded by `functionTimeoutMs`. */
  resolveRates(identity: string, context: Ctx | undefined): Promise<ResolvedRates> {
    return boundUserFunction(`Throttle "${this.uid}": rate function`, this.rates.resolve(identity, context), this.functionTimeoutMs) as Promise<ResolvedRates>;
  }

  /** The identity of a key: a string (a finite number is turned into one); anything else is a `ConfigurationError`. */
  checkKey(key: unknown): string {
    if (typeof key === 'string') return key;
    if (typeof key === 'number' && Number.isFinite(key)) return String(key);
    throw new ConfigurationError(`Throttle "${this.uid}": key must be a string or EXEMPTED, got ${describeValue(key)}`);
  }

  /** `cost` when it is a whole number >= 0; else a `ConfigurationError` calling it `name`. */
  checkCost(cost: unknown, name = 'cost'): number {
    if (typeof cost !== 'number' || !Number.isSafeInteger(cost) || cost < 0) {
      throw new ConfigurationError(`Throttle "${this.uid}": ${name} must be a whole number >= 0, got ${describeValue(cost)}`);
    }
    return cost;
  }
}
