import type { Backend } from '../core/backends/backend.js';
import { ConfigurationError, describeValue } from '../core/errors.js';
import { checkOptionNames } from '../core/options.js';
import { Rate } from '../core/rate.js';
import { isLeaseStrategy } from '../core/strategies/concurrency-limit.js';
import { FixedWindowStrategy } from '../core/strategies/fixed-window.js';
import type { AnyStrategy } from '../core/strategies/strategy.js';
import type { OnExceed } from '../core/stream-limiter.js';
import { Throttle, type Rates } from '../core/throttle.js';
import type { CallInfo, MessageLimitOptions, RateLimitMeta, RateLimitOptions, RefundOn, Settle } from './options.js';

/** The call info every plan works with. */
export type AnyInfo = CallInfo<unknown, unknown, unknown>;
type CostOption = number | ((info: AnyInfo) => number | Promise<number>) | undefined;

/** Everything one limited procedure needs: its throttle(s), built once and cached. */
export interface Plan {
  throttle: Throttle<AnyInfo>;
  /** True when a user function (identify, backend, cost, rate, refundOn, settle) may read the input: the raw input is read for it. */
  needsInput: boolean;
  /** True when the strategy holds slots (a concurrency limit) that must be released. */
  holdsSlots: boolean;
  /** The throttle's rate when it has exactly one fixed rate (for the `w` of RateLimit-Policy). */
  rate: Rate | undefined;
  cost: CostOption;
  refundOn: RefundOn | undefined;
  settle: Settle | undefined;
  messages: MessagePlan | undefined;
}

/** A subscription's per-event limit. */
export interface MessagePlan {
  throttle: Throttle<AnyInfo>;
  onExceed: OnExceed;
  cost: MessageLimitOptions['cost'];
}

const MESSAGE_OPTION_NAMES = ['rate', 'onExceed', 'strategy', 'cost'] as const;
const META_OPTION_NAMES = ['rate', 'cost', 'strategy', 'uid', 'messages', 'refundOn', 'settle'] as const;

/**
 * Builds the plans of one `rateLimit` middleware: the fixed one (with
 * `rate`), or one per procedure from its `meta.rateLimit`, each checked and
 * built on first use and cached. Throws `ConfigurationError` for a wrong value.
 */
export class Planner {
  /** The plan of every call, when the middleware has a fixed `rate`. */
  readonly fixed: Plan | undefined;
  private readonly byMeta = new WeakMap<object, Map<string, Plan>>();

  constructor(private readonly opts: RateLimitOptions<unknown, unknown, unknown>, private readonly uid: string) {
    checkCostOption('rateLimit: cost', opts.cost);
    checkAfterCall('rateLimit', opts.refundOn, opts.settle, opts.strategy);
    if (opts.rate !== undefined) {
      this.fixed = this.plan('rateLimit', uid, opts.rate, {
        cost: opts.cost as CostOption, strategy: opts.strategy, refundOn: opts.refundOn, settle: opts.settle,
        messages: opts.messages as MessageLimitOptions | undefined,
      });
    } else if (opts.messages !== undefined) {
      throw new ConfigurationError('rateLimit: messages needs rate (meta-driven limits set messages in meta.rateLimit)');
    }
  }

  /** The plan for a call of `path` with `meta`: the fixed one, else its meta's; undefined when it is not limited. */
  planFor(meta: unknown, path: string): Plan | undefined {
    if (this.fixed !== undefined) return this.fixed;
    const spec = (meta as { rateLimit?: RateLimitMeta } | undefined)?.rateLimit;
    if (spec === undefined || spec === null) return undefined;
    if (typeof spec !== 'object') {
      throw new ConfigurationError(`rateLimit: meta.rateLimit of "${path}" must be an object, got ${describeValue(spec)}`);
    }
    let byPath = this.byMeta.get(spec);
    if (byPath === undefined) {
      byPath = new Map();
      this.byMeta.set(spec, byPath);
    }
    let plan = byPath.get(path);
    if (plan === undefined) {
      const owner = `rateLimit: meta.rateLimit of "${path}"`;
      checkOptionNames(owner, spec, META_OPTION_NAMES);
      if (spec.rate === undefined) throw new ConfigurationError(`${owner}: rate is required`);
      checkCostOption(`${owner}: cost`, spec.cost);
      const strategy = spec.strategy ?? this.opts.strategy;
      const refundOn = spec.refundOn ?? this.opts.refundOn;
      const settle = spec.settle ?? this.opts.settle;
      checkAfterCall(owner, refundOn, settle, strategy);
      plan = this.plan(owner, spec.uid ?? `${this.uid}:${path}`, spec.rate, {
        cost: (spec.cost ?? this.opts.cost) as CostOption, strategy, refundOn, settle, messages: spec.messages,
      });
      byPath.set(path, plan);
    }
    return plan;
  }

  private plan(owner: string, uid: string, rate: unknown, parts: {
    cost: CostOption; strategy: AnyStrategy | undefined; refundOn: RefundOn | undefined; settle: Settle | undefined;
    messages: MessageLimitOptions | undefined;
  }): Plan {
    const { cost, strategy, refundOn, settle, messages } = parts;
    return {
      throttle: this.throttle(uid, rate, strategy),
      needsInput: [this.opts.identify, this.opts.backend, rate, cost, refundOn, settle, messages?.cost].some((v) => typeof v === 'function'),
      holdsSlots: isLeaseStrategy(strategy),
      rate: singleRate(rate),
      cost, refundOn, settle,
      messages: this.messagePlan(uid, messages, owner),
    };
  }

  private messagePlan(uid: string, messages: MessageLimitOptions | undefined, owner: string): MessagePlan | undefined {
    if (messages === undefined) return undefined;
    checkOptionNames(`${owner}: messages`, messages, MESSAGE_OPTION_NAMES);
    const onExceed = messages.onExceed ?? 'drop';
    if (onExceed !== 'drop' && onExceed !== 'latest' && onExceed !== 'complete') {
      throw new ConfigurationError(`${owner}: messages.onExceed must be 'drop', 'latest' or 'complete', got ${describeValue(onExceed)}`);
    }
    if (messages.rate === undefined) throw new ConfigurationError(`${owner}: messages.rate is required`);
    checkCostOption(`${owner}: messages.cost`, messages.cost);
    return { throttle: this.throttle(`${uid}:messages`, messages.rate, messages.strategy), onExceed, cost: messages.cost };
  }

  /** One throttle per distinct config, with the middleware's shared options passed on. */
  private throttle(uid: string, rate: unknown, strategy: AnyStrategy | undefined): Throttle<AnyInfo> {
    const { opts } = this;
    const rateOption = typeof rate === 'function'
      ? (_key: string, info: AnyInfo | undefined) => (rate as (info: AnyInfo) => Rates | Promise<Rates>)(info!)
      : (rate as Rates);
    const { backend } = opts;
    const backendOption = typeof backend === 'function'
      ? (info: AnyInfo | undefined): Backend => (backend as (info: AnyInfo) => Backend)(info!)
      : backend;
    return new Throttle<AnyInfo>({
      uid, rate: rateOption,
      ...(strategy !== undefined ? { strategy } : {}),
      ...(backendOption !== undefined ? { backend: backendOption } : {}),
      ...(opts.onError !== undefined ? { onError: opts.onError } : {}),
      ...(opts.minWaitMs !== undefined ? { minWaitMs: opts.minWaitMs } : {}),
      ...(opts.mode !== undefined ? { mode: opts.mode } : {}),
      ...(opts.onDecision !== undefined ? { onDecision: opts.onDecision } : {}),
      ...(opts.functionTimeoutMs !== undefined ? { functionTimeoutMs: opts.functionTimeoutMs } : {}),
    });
  }
}

/** The one fixed rate of a rate option, if it is one (checked already by the throttle). */
function singleRate(rate: unknown): Rate | undefined {
  if (typeof rate === 'function') return undefined;
  if (Array.isArray(rate)) return rate.length === 1 ? Rate.from(rate[0]) : undefined;
  return Rate.from(rate as Rate | string);
}

/** Checks a fixed cost (a whole number >= 0) or a cost function. */
export function checkCostOption(owner: string, value: unknown): void {
  if (value === undefined || typeof value === 'function') return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ConfigurationError(`${owner} must be a whole number >= 0 or a function, got ${describeValue(value)}`);
  }
}

/** Checks `refundOn` and `settle`, and that the strategy can give units back and charge them. */
function checkAfterCall(owner: string, refundOn: unknown, settle: unknown, strategy: AnyStrategy | undefined): void {
  if (refundOn !== undefined && refundOn !== 'error' && refundOn !== 'success' && typeof refundOn !== 'function') {
    throw new ConfigurationError(`${owner}: refundOn must be 'error', 'success' or a function, got ${describeValue(refundOn)}`);
  }
  if (settle !== undefined && typeof settle !== 'function') {
    throw new ConfigurationError(`${owner}: settle must be a function, got ${describeValue(settle)}`);
  }
  if (refundOn === undefined && settle === undefined) return;
  const used = strategy ?? new FixedWindowStrategy();
  if (used.supportsChargeAndRefund !== true) {
    throw new ConfigurationError(`${owner}: refundOn and settle need a strategy that supports charge and refund; ${used.name} does not`);
  }
}
