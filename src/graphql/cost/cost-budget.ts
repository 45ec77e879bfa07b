import type { ConnectionInitMessage, ServerOptions } from 'graphql-ws';
import { execute as graphqlExecuteFunction } from 'graphql';
import { Rate, Throttle, TokenBucketStrategy, type AnyStrategy, type OnError, type ThrottleOptions } from '../../core/index.js';
import { ConfigurationError, describeValue } from '../../core/errors.js';
import { checkOptionNames, checkWholeNumber } from '../../core/options.js';
import { defaultIdentify } from '../directive.js';
import { costDefaults } from './analysis.js';
import { costBudgetApolloPlugin, type CostBudgetApolloPlugin } from './apollo.js';
import { BudgetEngine, type BudgetIdentify } from './budget.js';
import { costBudgetEnvelopPlugin, type CostBudgetEnvelopPlugin } from './envelop.js';
import { wrapExecute, type ExecuteFunction, type WrapExecuteOptions, type WrappedExecute } from './execute.js';
import { costBudgetGraphqlWs } from './graphql-ws.js';
import type { CostDefaults } from './scope.js';
import { costDirectivesTypeDefs } from './settings.js';
import { clientIdentity, type RequestLike } from '../../core/client-address.js';

/** Options of `costBudget`. Checked when it is called (`ConfigurationError` naming the wrong value). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface CostBudgetOptions<Ctx = any> extends Partial<CostDefaults> {
  /** Where budgets live (a Backend, or a function choosing one per request's context). Default: the shared in-process backend. */
  backend?: ThrottleOptions<Ctx>['backend'];
  /**
   * Who pays (see `BudgetIdentify`). Default: the client's address from
   * `context.req` / `context.request` (Yoga, Apollo on Node) or graphql-ws's
   * `ctx.extra.request`, else one budget shared by every caller.
   */
  identify?: BudgetIdentify<Ctx>;
  /** The most one operation may cost; dearer ones get `MAX_COST_EXCEEDED` and are not charged. Default: `maximumAvailable`. */
  maxCost?: number;
  /** Units each caller's budget holds when full (default 1000). */
  maximumAvailable?: number;
  /** Units restored to a budget per second (default 50). */
  restoreRate?: number;
  /** The budget's strategy, at `restoreRate` per second; it must support refunds (`supportsChargeAndRefund`). Default: `new TokenBucketStrategy({ burstSize: maximumAvailable })`. */
  strategy?: AnyStrategy;
  /** The throttle's uid: budgets with different uids never share state (default `"graphql-cost"`). */
  uid?: string;
  /** What to do when the store fails (see `OnError`); default: the backend's, else `'throttle'` (refuse with `RATE_LIMITER_UNAVAILABLE`). */
  onError?: OnError;
  /** A request header that asks for the per-field breakdown in `extensions.cost.fields` (default `"x-graphql-cost-breakdown"`; `false`: never). */
  breakdownHeader?: string | false;
}

/** What `costBudget` returns: the directives' SDL and one plugin per server, all sharing one budget. */
export interface CostBudget {
  /** SDL of `@cost` and `@listSize`: add it to the schema's type definitions. */
  readonly typeDefs: string;
  /** The throttle holding the budgets (`peek(key)` shows a caller's, `reset(key)` refills it). */
  readonly throttle: Throttle<unknown>;
  /** The most one operation may cost. */
  readonly maxCost: number;
  /** The engine every plugin uses: `admit` (price and charge) and `settle` (refund), for your own server integration. */
  readonly engine: BudgetEngine;
  /** A GraphQL Yoga / envelop plugin. */
  envelop(): CostBudgetEnvelopPlugin;
  /** An Apollo Server 4/5 plugin. */
  apollo(): CostBudgetApolloPlugin;
  /** graphql-ws server options (for `useServer`) with every operation charged (see `costBudgetGraphqlWs`). */
  graphqlWs<P extends ConnectionInitMessage['payload'] = ConnectionInitMessage['payload'], E = unknown>(serverOptions: ServerOptions<P, E>): ServerOptions<P, E>;
  /**
   * Wraps a graphql-js `execute` (default: graphql's own) so each call is
   * charged and refunded (see `wrapExecute`); give the result to graphql-http's
   * `createHandler({ execute })` or call it yourself.
   */
  wrapExecute<R = ReturnType<typeof graphqlExecuteFunction>>(execute?: ExecuteFunction<R>, options?: WrapExecuteOptions): WrappedExecute<R>;
}

const OPTION_NAMES = [
  'backend', 'identify', 'maxCost', 'maximumAvailable', 'restoreRate', 'strategy', 'uid', 'onError', 'breakdownHeader',
  'objectCost', 'scalarCost', 'mutationCost', 'defaultListSize', 'maxNodes',
];

/** The client identity of a graphql-ws socket's upgrade request (canonical address, IPv6 by /56), no proxy trusted. */
const socketRequestIdentity = clientIdentity({}, 'costBudget');

/**
 * The default `identify`: the client identity of graphql-ws's
 * `ctx.extra.request`, else the directive's default (the request in the
 * context; an error naming the fix when there is none).
 */
function defaultBudgetIdentify(context: unknown): string {
  if (context !== null && typeof context === 'object') {
    const identity = socketRequestIdentity((context as { extra?: { request?: RequestLike } }).extra?.request);
    if (identity !== undefined && identity !== '') return identity;
  }
  return defaultIdentify(context);
}

/**
 * Operation cost budgets: each operation is priced before it runs
 * (`operationCost`), refused when dearer than `maxCost`
 * (`MAX_COST_EXCEEDED`, nothing charged), charged to its caller's budget in
 * one atomic step (`THROTTLED` with `retryAfterMs` when the budget lacks
 * room; nothing runs), and after execution `requested - actual` is given
 * back in one more step. Responses carry Shopify's `extensions.cost`
 * (`requestedQueryCost`, `actualQueryCost`, `throttleStatus`). Works beside
 * `@rateLimit` on the same schema and backend.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function costBudget<Ctx = any>(options: CostBudgetOptions<Ctx> = {}): CostBudget {
  const where = 'costBudget';
  checkOptionNames(where, options, OPTION_NAMES);
  const maximumAvailable = checkWholeNumber(where, 'maximumAvailable', options.maximumAvailable ?? 1000, 1);
  const restoreRate = checkWholeNumber(where, 'restoreRate', options.restoreRate ?? 50, 1);
  const maxCost = checkWholeNumber(where, 'maxCost', options.maxCost ?? maximumAvailable, 0);
  const identify = options.identify ?? defaultBudgetIdentify;
  if (typeof identify !== 'function') throw new ConfigurationError(`${where}: identify must be a function, got ${describeValue(identify)}`);
  const { breakdownHeader = 'x-graphql-cost-breakdown' } = options;
  if (breakdownHeader !== false && (typeof breakdownHeader !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(breakdownHeader))) {
    throw new ConfigurationError(`${where}: breakdownHeader must be a header name or false, got ${describeValue(breakdownHeader)}`);
  }
  const defaults = costDefaults(where, options);
  const strategy = options.strategy ?? new TokenBucketStrategy({ burstSize: maximumAvailable });
  if (strategy === null || typeof strategy !== 'object' || strategy.supportsChargeAndRefund !== true) {
    throw new ConfigurationError(`${where}: strategy must support charge and refund (the unused cost is given back), got ${describeValue((strategy as { name?: unknown } | null)?.name ?? strategy)}`);
  }
  const throttle = new Throttle<Ctx>({
    uid: options.uid ?? 'graphql-cost',
    rate: new Rate({ limit: restoreRate, seconds: 1 }),
    strategy,
    ...(options.backend !== undefined ? { backend: options.backend } : {}),
    ...(options.onError !== undefined ? { onError: options.onError } : {}),
  }) as unknown as Throttle<unknown>;
  const engine = new BudgetEngine({ throttle, identify: identify as BudgetIdentify, maxCost, restoreRate, defaults });
  const header = breakdownHeader === false ? undefined : breakdownHeader;
  return {
    typeDefs: costDirectivesTypeDefs,
    throttle,
    maxCost,
    engine,
    envelop: () => costBudgetEnvelopPlugin(engine, header),
    apollo: () => costBudgetApolloPlugin(engine, header),
    graphqlWs: (serverOptions) => costBudgetGraphqlWs(engine, serverOptions, header),
    wrapExecute: <R>(execute?: ExecuteFunction<R>, wrapOptions?: WrapExecuteOptions) => wrapExecute(engine, execute ?? (graphqlExecuteFunction as ExecuteFunction<R>), wrapOptions),
  };
}
