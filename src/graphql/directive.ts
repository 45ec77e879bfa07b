import { MapperKind, getDirective, mapSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, print, type DirectiveNode, type GraphQLFieldConfig, type GraphQLSchema } from 'graphql';
import {
  ConfigurationError, FixedWindowStrategy, type AnyStrategy, type Backend, type DecisionListener, type OnError, type Throttle,
} from '../core/index.js';
import { describeValue } from '../core/errors.js';
import { checkOptionNames } from '../core/options.js';
import type { Logger } from '../core/throttle/options.js';
import { addressIdentify, type TrustProxy } from './caller-address.js';
import { AheadStore, chargeAheadResolver, listItemType, type AheadPlan } from './charge-ahead.js';
import { buildFieldLimits, repeatedLimitMessage, type FieldCostFunction, type LimitRegistry } from './field-limits.js';
import { HitBatcher, type FlushScheduler } from './hit-batcher.js';
import { limitedResolver, type Identify, type OnLimit } from './limited-resolver.js';
import { DEFAULT_FUNCTION_TIMEOUT_MS } from './settle-within.js';
import { builtInStrategies } from './strategy-registry.js';

/**
 * Where limit state lives: one backend, or a function choosing one per
 * request from the GraphQL context (multi-tenant: a tenant's own Redis).
 * The function is called for each batch of hits with that request's
 * context; throwing fails the fields of that batch. Backends it returns are
 * yours to cache and close.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type DirectiveBackend<Ctx = any> = Backend | ((context: Ctx | undefined) => Backend);

/** Options of `rateLimitDirective`. Checked when it is called (`ConfigurationError` naming the wrong value). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface RateLimitDirectiveOptions<Ctx = any> {
  /** The directive's name in SDL and the key in fields' `extensions` (default `"rateLimit"`). */
  name?: string;
  /** Where limit state lives (see `DirectiveBackend`). Default: the shared in-process backend. */
  backend?: DirectiveBackend<Ctx>;
  /**
   * Who is calling (see `Identify`). Default: the client address of the
   * request in the context (`context.req`, else `context.request`: GraphQL
   * Yoga on Node has it; Apollo Server and graphql-http need it put there,
   * see docs/graphql.md). A context without a request fails the field with
   * `RATE_LIMITER_NO_CLIENT_ADDRESS` naming the fix, never one budget shared
   * by every caller.
   */
  identify?: Identify<Ctx>;
  /**
   * Which proxies' `X-Forwarded-For` the default identity believes (hops,
   * addresses/CIDR blocks, or a predicate). Default: none (the socket peer).
   * Only with the default identity.
   */
  trustProxy?: TrustProxy;
  /**
   * The default identity groups IPv6 clients by this prefix length (1 to
   * 128, default 56: one home's allocation), so that rotating addresses in
   * one subnet is one caller. Only with the default identity.
   */
  ipv6Subnet?: number;
  /**
   * `'enforce'` (default) or `'shadow'`: every hit is decided, recorded and
   * reported (status plugin, `onDecision` of your metrics), but no field is
   * ever limited; a hit that would have been denied has `shadowDenied: true`.
   * How to roll a new limit out safely.
   */
  mode?: 'enforce' | 'shadow';
  /**
   * Called synchronously once per decided hit of every limit this directive
   * makes (see `DecisionListener`): feed metrics from it, and watch a
   * shadow-mode rollout (`outcome`). Throwing from it never fails a field.
   */
  onDecision?: DecisionListener;
  /**
   * Where store outages are told: one `error` line when the store starts
   * failing, one `warn` line when it answers again (default `console`;
   * `false` for silence). See `Throttle`'s `logger`.
   */
  logger?: Logger | false;
  /**
   * The most time, in ms, a promise returned by `identify` or a cost function
   * may take (default 5,000). One that takes longer fails its field with a
   * server error saying which function did not settle.
   */
  functionTimeoutMs?: number;
  /** Cost functions a directive names with `costFn: "name"`. */
  costs?: Record<string, FieldCostFunction<Ctx>>;
  /** Strategies a directive names with `strategy: "name"`, beside the built-in names (these win). */
  strategies?: Record<string, AnyStrategy>;
  /** The strategy of directives that name none. Default: `new FixedWindowStrategy()`. */
  strategy?: AnyStrategy;
  /** Replaces the error of a limited field, or gives a fallback value (see `OnLimit`). */
  onLimit?: OnLimit<Ctx>;
  /** What to do when the backend fails (see `OnError`); default: the backend's, else `'throttle'`. */
  onError?: OnError;
  /**
   * When a batch of ready hits is sent. Default: once every promise
   * continuation already queued has run (`afterPendingMicrotasks`).
   */
  scheduleFlush?: FlushScheduler;
  /**
   * Charge a list's items' limited fields as soon as the list resolves, so
   * that the items resolve without waiting (default true: much faster on
   * long lists). Then `identify` and cost functions get the list field's
   * `info` (cost functions still get each item as `source`). Set false for
   * executors other than graphql-js's (graphql-jit), whose execution paths
   * differ: the items would then be charged one resolution at a time.
   */
  chargeListsAhead?: boolean;
}

/** What `rateLimitDirective` returns. */
export interface RateLimitDirective {
  /** The directive's SDL: add it to the schema's type definitions. */
  typeDefs: string;
  /**
   * Returns a copy of `schema` whose limited fields check their limits before
   * resolving. Throws `ConfigurationError` naming the field coordinate for a
   * bad rate, an unknown `costFn` or strategy, the same limit given twice on
   * one field or type, different limits inherited from two interfaces, or a
   * schema already transformed by this directive.
   */
  transformer: (schema: GraphQLSchema) => GraphQLSchema;
}

const OPTION_NAMES = [
  'name', 'backend', 'identify', 'trustProxy', 'ipv6Subnet', 'mode', 'onDecision', 'logger', 'functionTimeoutMs', 'costs', 'strategies', 'strategy', 'onLimit', 'onError',
  'scheduleFlush', 'chargeListsAhead',
];
const NAME_PATTERN = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** The SDL of the directive under `name`. */
export function rateLimitDirectiveTypeDefs(name = 'rateLimit'): string {
  return `directive @${name}(rate: String!, cost: Int, costFn: String, uid: String, identityArgs: [String!], strategy: String) repeatable on FIELD_DEFINITION | OBJECT`;
}

/**
 * The identify used when none is given: the client identity of the request
 * in the context (`context.req`, else `context.request`): its canonical
 * address, IPv6 grouped by /56. Throws a `GraphQLError` with code
 * `RATE_LIMITER_NO_CLIENT_ADDRESS`, naming the fix, when the context holds
 * no request: never one budget shared by every caller.
 */
export const defaultIdentify: (context: unknown) => string = addressIdentify() as (context: unknown) => string;

interface DirectableNode {
  readonly extensions?: unknown;
  readonly astNode?: { readonly directives?: readonly DirectiveNode[] | undefined } | null | undefined;
  readonly extensionASTNodes?: readonly { readonly directives?: readonly DirectiveNode[] | undefined }[] | null | undefined;
}

/** The settings of every `@name` on `node` (SDL, graphql-tools' `extensions.directives`, and code-first `extensions[name]`). */
function settingsOf(node: DirectableNode, schema: GraphQLSchema, name: string, coordinate: string): unknown[] {
  rejectRepeatedDirective(node, name, coordinate);
  const found: unknown[] = [...(getDirective(schema, node as never, name) ?? [])];
  const extensions = node.extensions as Record<string, unknown> | null | undefined;
  const codeFirst = extensions?.[name];
  if (codeFirst !== undefined && codeFirst !== null) {
    if (Array.isArray(codeFirst)) found.push(...codeFirst);
    else found.push(codeFirst);
  }
  return found;
}

/**
 * `getDirective` merges identical repeated directives into one, so two
 * identical limits written in SDL would silently be one: refuse them
 * instead (they are most likely a slip for two different rates).
 */
function rejectRepeatedDirective(node: DirectableNode, name: string, coordinate: string): void {
  const directives = [node.astNode, ...(node.extensionASTNodes ?? [])].flatMap((n) => n?.directives ?? []).filter((d) => d.name.value === name);
  if (directives.length < 2) return;
  const seen = new Set<string>();
  for (const directive of directives) {
    // Argument order does not matter: compare the arguments sorted by name.
    const text = JSON.stringify((directive.arguments ?? []).map((a) => [a.name.value, print(a.value)]).sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0)));
    if (seen.has(text)) throw new ConfigurationError(repeatedLimitMessage(name, coordinate, print(directive)));
    seen.add(text);
  }
}

/**
 * The limits an object field inherits from the fields of the interfaces its
 * type implements (when it has none of its own), with the interface field's
 * coordinate: the default uid, so every implementation shares one budget.
 * Different limits from two interfaces are refused.
 */
function inheritedSettings(schema: GraphQLSchema, typeName: string, fieldName: string, name: string): { settings: unknown[]; from: string } | undefined {
  const type = schema.getType(typeName) as { getInterfaces?: () => readonly { name: string; getFields(): Record<string, DirectableNode> }[] } | null | undefined;
  let found: { settings: unknown[]; from: string; text: string } | undefined;
  for (const iface of type?.getInterfaces?.() ?? []) {
    const field = iface.getFields()[fieldName];
    if (field === undefined) continue;
    const from = `${iface.name}.${fieldName}`;
    const settings = settingsOf(field, schema, name, from);
    if (settings.length === 0) continue;
    const text = JSON.stringify(settings);
    if (found === undefined) found = { settings, from, text };
    else if (found.text !== text) {
      throw new ConfigurationError(
        `@${name} on ${typeName}.${fieldName}: inherits different limits from ${found.from} and ${from}; give ${typeName}.${fieldName} a limit of its own`,
      );
    }
  }
  return found && { settings: found.settings, from: found.from };
}

/**
 * The `@rateLimit` directive: `typeDefs` to add to the schema and a
 * `transformer` that wraps each limited field's resolver (or, on a
 * subscription field, its `subscribe`: charged once per subscription).
 *
 * Every resolution is charged, aliases included, but the hits that become
 * ready together (a list's items) go to the backend in one round trip per
 * limit and caller, applied in order: a list of 1,000 with room for 600
 * admits exactly the first 600. A limited field resolves to a `GraphQLError`
 * with `extensions: { code: "RATE_LIMITED", retryAfterMs, limit, remaining,
 * resetAfterMs }` at its path; the rest of the response still resolves.
 *
 * Settings come from `@rateLimit(...)` in SDL or, code-first, from a field's
 * or object type's `extensions.rateLimit` (one settings object or a list).
 * On an interface field, they apply to each implementing object type's
 * field with no limit of its own (one budget for all, under the interface
 * field's coordinate, unless `uid` says otherwise). On an object type, they
 * apply to each of its fields with no limit of its own (nor an interface's).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function rateLimitDirective<Ctx = any>(options: RateLimitDirectiveOptions<Ctx> = {}): RateLimitDirective {
  checkOptionNames('rateLimitDirective', options, OPTION_NAMES);
  const { name = 'rateLimit', backend, costs = {}, strategies = {}, onLimit, onError, scheduleFlush, chargeListsAhead = true } = options;
  const where = 'rateLimitDirective';
  const { mode, functionTimeoutMs = DEFAULT_FUNCTION_TIMEOUT_MS, trustProxy, ipv6Subnet } = options;
  if ((trustProxy !== undefined || ipv6Subnet !== undefined) && options.identify !== undefined) {
    throw new ConfigurationError(`${where}: trustProxy and ipv6Subnet apply only to the default identity; with your own identify, use contextAddress({ trustProxy, ipv6Subnet }) there`);
  }
  const identify = options.identify ?? (trustProxy === undefined && ipv6Subnet === undefined
    ? defaultIdentify
    : addressIdentify({ ...(trustProxy !== undefined ? { trustProxy } : {}), ...(ipv6Subnet !== undefined ? { ipv6Subnet } : {}) }));
  if (mode !== undefined && mode !== 'enforce' && mode !== 'shadow') {
    throw new ConfigurationError(`${where}: mode must be 'enforce' or 'shadow', got ${describeValue(mode)}`);
  }
  if (typeof functionTimeoutMs !== 'number' || !Number.isSafeInteger(functionTimeoutMs) || functionTimeoutMs < 1) {
    throw new ConfigurationError(`${where}: functionTimeoutMs must be a whole number of ms >= 1, got ${describeValue(functionTimeoutMs)}`);
  }
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new ConfigurationError(`${where}: name must be a GraphQL name such as "rateLimit", got ${describeValue(name)}`);
  }
  const perRequestBackend = typeof backend === 'function';
  if (backend !== undefined && !perRequestBackend && (backend === null || typeof backend !== 'object' || typeof backend.applyBatch !== 'function')) {
    throw new ConfigurationError(`${where}: backend must implement the Backend interface or be a function (context) => Backend, got ${describeValue(backend)}`);
  }
  const { onDecision } = options;
  for (const [option, value] of [['identify', identify], ['onLimit', onLimit], ['scheduleFlush', scheduleFlush], ['onDecision', onDecision]] as const) {
    if (value !== undefined && typeof value !== 'function') {
      throw new ConfigurationError(`${where}: ${option} must be a function, got ${describeValue(value)}`);
    }
  }
  if (costs === null || typeof costs !== 'object') throw new ConfigurationError(`${where}: costs must be an object of functions, got ${describeValue(costs)}`);
  for (const [costName, fn] of Object.entries(costs)) {
    if (typeof fn !== 'function') throw new ConfigurationError(`${where}: costs.${costName} must be a function, got ${describeValue(fn)}`);
  }
  if (strategies === null || typeof strategies !== 'object') {
    throw new ConfigurationError(`${where}: strategies must be an object of strategies, got ${describeValue(strategies)}`);
  }
  for (const [strategyName, strategy] of Object.entries(strategies)) {
    if (strategy === null || typeof strategy !== 'object' || typeof strategy.step !== 'function') {
      throw new ConfigurationError(`${where}: strategies.${strategyName} must implement the Strategy interface, got ${describeValue(strategy)}`);
    }
  }
  if (typeof chargeListsAhead !== 'boolean') {
    throw new ConfigurationError(`${where}: chargeListsAhead must be true or false, got ${describeValue(chargeListsAhead)}`);
  }
  const defaultStrategy = options.strategy ?? new FixedWindowStrategy();
  if (defaultStrategy === null || typeof defaultStrategy !== 'object' || typeof defaultStrategy.step !== 'function') {
    throw new ConfigurationError(`${where}: strategy must implement the Strategy interface, got ${describeValue(defaultStrategy)}`);
  }

  const batcher = new HitBatcher(scheduleFlush);
  const store = chargeListsAhead ? new AheadStore() : undefined;
  const env = { batcher, identify: identify as Identify, onLimit: onLimit as OnLimit | undefined, store, functionTimeoutMs, perRequestBackend };
  const throttles = new Map<string, Throttle<unknown>>();
  const registry: LimitRegistry = {
    directiveName: name, backend: backend as DirectiveBackend<unknown> | undefined, mode, onDecision, logger: options.logger, onError, defaultStrategy,
    strategies: { ...builtInStrategies(), ...strategies },
    costs: costs as Record<string, FieldCostFunction>,
    throttles,
  };
  /** Resolvers this directive made: seeing one again means the schema was transformed twice (double charging). */
  const wrapped = new WeakSet<object>();

  const transformer = (schema: GraphQLSchema): GraphQLSchema => {
    const subscriptionType = schema.getSubscriptionType()?.name;
    /** Limited fields that a list of their type can charge ahead: type name -> field name -> plan. */
    const aheadPlans = new Map<string, Map<string, AheadPlan>>();
    const limitedSchema = mapSchema(schema, {
      [MapperKind.INTERFACE_FIELD]: (fieldConfig, fieldName, typeName) => {
        // No resolver here: the implementing object types' fields get the limit. Checked now all the same.
        const coordinate = `${typeName}.${fieldName}`;
        const settings = settingsOf(fieldConfig, schema, name, coordinate);
        if (settings.length > 0) buildFieldLimits(coordinate, settings, registry);
        return fieldConfig;
      },
      [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
        const coordinate = `${typeName}.${fieldName}`;
        // The field's own limits, else its interfaces' field's, else its type's.
        let settings = settingsOf(fieldConfig, schema, name, coordinate);
        let inherited: { settings: unknown[]; from: string } | undefined;
        if (settings.length === 0) {
          inherited = inheritedSettings(schema, typeName, fieldName, name);
          if (inherited !== undefined) settings = inherited.settings;
        }
        if (settings.length === 0) {
          const type = schema.getType(typeName);
          if (type !== undefined && type !== null) settings = settingsOf(type, schema, name, typeName);
        }
        if (settings.length === 0) return fieldConfig;
        const limits = buildFieldLimits(coordinate, settings, registry, inherited && { uid: inherited.from, where: `${inherited.from} (on ${coordinate})` });
        const isSubscription = typeName === subscriptionType;
        const current = isSubscription ? fieldConfig.subscribe : fieldConfig.resolve;
        if (current !== undefined && wrapped.has(current)) {
          throw new ConfigurationError(`@${name} on ${coordinate}: this schema was already transformed by this directive (each resolution would be charged twice)`);
        }
        const limited = limitedResolver((current ?? defaultFieldResolver) as never, coordinate, limits, env);
        if (!isSubscription && limits.length === 1) {
          let plans = aheadPlans.get(typeName);
          if (plans === undefined) aheadPlans.set(typeName, (plans = new Map()));
          plans.set(fieldName, { coordinate, limit: limits[0]! });
        }
        wrapped.add(limited);
        const config: GraphQLFieldConfig<unknown, unknown> = { ...fieldConfig };
        if (isSubscription) config.subscribe = limited;
        else config.resolve = limited;
        return config;
      },
    });
    if (store === undefined || aheadPlans.size === 0) return limitedSchema;
    return mapSchema(limitedSchema, {
      [MapperKind.OBJECT_FIELD]: (fieldConfig, _fieldName, typeName) => {
        if (typeName === subscriptionType) return fieldConfig;
        const itemType = listItemType(fieldConfig.type);
        const plans = itemType === undefined ? undefined : aheadPlans.get(itemType.name);
        if (itemType === undefined || plans === undefined) return fieldConfig;
        const base = (fieldConfig.resolve ?? defaultFieldResolver) as never;
        return { ...fieldConfig, resolve: chargeAheadResolver(base, itemType.name, plans, { ...env, store }) };
      },
    });
  };

  return { typeDefs: rateLimitDirectiveTypeDefs(name), transformer };
}
