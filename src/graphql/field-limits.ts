import type { GraphQLResolveInfo } from 'graphql';
import {
  ConfigurationError, Throttle, type AnyStrategy, type Backend, type DecisionListener, type OnError, type ThrottleOptions,
} from '../core/index.js';
import { describeValue } from '../core/errors.js';
import type { Logger } from '../core/throttle/options.js';
import { parseArgPath } from './identity-args.js';

/**
 * The arguments of one `@rateLimit` (schema-first) or one entry of a field's
 * `extensions.rateLimit` (code-first).
 */
export interface RateLimitSettings {
  /** `"10/minute"`, `"2/5s"`, ... (see `Rate.parse`). Required. */
  rate: string;
  /** Units each resolution costs (default 1). Not together with `costFn`. */
  cost?: number | null;
  /** The name of a function in the directive's `costs` registry. */
  costFn?: string | null;
  /** Shares one budget between fields that name the same uid (default: the field coordinate). */
  uid?: string | null;
  /** Argument paths (`"id"`, `"input.owner.id"`) whose values make separate budgets. */
  identityArgs?: readonly string[] | null;
  /** The name of a strategy: a built-in one or one from the `strategies` option. Default: the `strategy` option. */
  strategy?: string | null;
}

/**
 * What a cost function receives: the resolution's arguments, context, info
 * and parent value. `args` are typed loosely (`any` values) so that
 * `({ args }) => args.first ?? 10` compiles; they are what graphql-js
 * coerced from the client's input, so check them as client input.
 */
export interface CostInput<Ctx = unknown> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  args: Record<string, any>;
  context: Ctx;
  info: GraphQLResolveInfo;
  source: unknown;
}

/**
 * Computes a resolution's cost. Called once per resolution of a field that
 * names it, before the hit is sent; awaited (at most `functionTimeoutMs`).
 * Must give a whole number >= 0. A number out of range (negative,
 * fractional, too large: the client's arguments made it so) fails the field
 * with `BAD_USER_INPUT`; anything not a number, or a throw, fails it as a
 * server error (a thrown `GraphQLError` reaches the client as it is).
 * Nothing is charged either way.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FieldCostFunction<Ctx = any> = (input: CostInput<Ctx>) => number | Promise<number>;

/** One limit a resolution must pass: a throttle, and how to get the hit's key and cost. */
export interface FieldLimit {
  readonly throttle: Throttle<unknown>;
  /** A fixed cost, or the registered function that computes it. */
  readonly cost: number | FieldCostFunction;
  /** Parsed `identityArgs` paths; empty when the budget is per caller only. */
  readonly identityPaths: readonly (readonly string[])[];
  /** The throttle's rates, as written (the status plugin names them). */
  readonly rates: readonly string[];
}

/** What building a field's limits needs from the directive. */
export interface LimitRegistry {
  readonly directiveName: string;
  /** One backend, or a function of the request's context choosing one. */
  readonly backend: Backend | ((context: unknown) => Backend) | undefined;
  /** The throttles' mode (`'shadow'`: decide and report, never deny). */
  readonly mode: 'enforce' | 'shadow' | undefined;
  /** Told of every decided hit of every throttle made here. */
  readonly onDecision: DecisionListener | undefined;
  /** Where store outages are told (`Throttle`'s `logger`). */
  readonly logger: Logger | false | undefined;
  readonly onError: OnError | undefined;
  readonly defaultStrategy: AnyStrategy;
  readonly strategies: Readonly<Record<string, AnyStrategy>>;
  readonly costs: Readonly<Record<string, FieldCostFunction>>;
  /** Throttles already made, by uid, strategy and rates: fields naming one uid share one. */
  readonly throttles: Map<string, Throttle<unknown>>;
}

const SETTING_NAMES = ['rate', 'cost', 'costFn', 'uid', 'identityArgs', 'strategy'];

/** The uid prefix of every throttle the directive makes, so they never share state with other throttles. */
export const UID_PREFIX = 'graphql:';

/**
 * Turns a field's settings (all of its `@rateLimit`s) into the limits each
 * resolution must pass. Settings that differ only in `rate` become one
 * multi-rate throttle (all-or-nothing, one round trip: burst + sustained).
 * Throws `ConfigurationError` naming the field coordinate for anything wrong.
 */
export function buildFieldLimits(
  coordinate: string, settingsList: readonly unknown[], registry: LimitRegistry, inherited?: { uid: string; where: string },
): FieldLimit[] {
  const where = `@${registry.directiveName} on ${inherited?.where ?? coordinate}`;
  const groups = new Map<string, { rates: string[]; uid: string; strategy: AnyStrategy; strategyName: string; cost: number | FieldCostFunction; identityArgs: string[] }>();
  const seen = new Set<string>();
  for (const raw of settingsList) {
    const settings = checkSettings(where, raw);
    const text = canonicalSettings(settings);
    if (seen.has(text)) throw new ConfigurationError(repeatedLimitMessage(registry.directiveName, inherited?.where ?? coordinate, text));
    seen.add(text);
    const strategyName = settings.strategy ?? undefined;
    let strategy = registry.defaultStrategy;
    if (strategyName !== undefined) {
      const named = Object.prototype.hasOwnProperty.call(registry.strategies, strategyName) ? registry.strategies[strategyName] : undefined;
      if (named === undefined) {
        throw new ConfigurationError(
          `${where}: unknown strategy ${describeValue(strategyName)} (known: ${Object.keys(registry.strategies).join(', ')})`,
        );
      }
      strategy = named;
    }
    let cost: number | FieldCostFunction = 1;
    if (settings.costFn != null) {
      if (settings.cost != null) throw new ConfigurationError(`${where}: give cost or costFn, not both`);
      const fn = Object.prototype.hasOwnProperty.call(registry.costs, settings.costFn) ? registry.costs[settings.costFn] : undefined;
      if (typeof fn !== 'function') {
        const known = Object.keys(registry.costs);
        throw new ConfigurationError(
          `${where}: unknown costFn ${describeValue(settings.costFn)} (known: ${known.length ? known.join(', ') : 'none: pass a costs option'})`,
        );
      }
      cost = fn;
    } else if (settings.cost != null) {
      cost = settings.cost;
    }
    const identityArgs = [...(settings.identityArgs ?? [])];
    const uid = settings.uid ?? inherited?.uid ?? coordinate;
    const groupKey = JSON.stringify([uid, strategyName ?? '', typeof cost === 'number' ? cost : `fn:${settings.costFn}`, identityArgs]);
    const group = groups.get(groupKey);
    if (group === undefined) {
      groups.set(groupKey, { rates: [settings.rate], uid, strategy, strategyName: strategyName ?? '', cost, identityArgs });
    } else {
      group.rates.push(settings.rate);
    }
  }
  const limits: FieldLimit[] = [];
  for (const group of groups.values()) {
    const identityPaths = group.identityArgs.map((text) => {
      try {
        return parseArgPath(text);
      } catch (error) {
        throw new ConfigurationError(`${where}: ${(error as Error).message}`);
      }
    });
    const throttleKey = JSON.stringify([group.uid, group.strategy.name, group.rates]);
    let throttle = registry.throttles.get(throttleKey);
    if (throttle === undefined) {
      try {
        const throttleOptions: ThrottleOptions<unknown> = {
          uid: UID_PREFIX + group.uid,
          rate: group.rates,
          strategy: group.strategy,
          ...(registry.onError !== undefined ? { onError: registry.onError } : {}),
          ...(registry.backend !== undefined ? { backend: registry.backend } : {}),
          ...(registry.mode !== undefined ? { mode: registry.mode } : {}),
          ...(registry.onDecision !== undefined ? { onDecision: registry.onDecision } : {}),
          ...(registry.logger !== undefined ? { logger: registry.logger } : {}),
        };
        throttle = new Throttle<unknown>(throttleOptions);
      } catch (error) {
        if (error instanceof ConfigurationError) throw new ConfigurationError(`${where}: ${error.message}`, { cause: error });
        throw error;
      }
      registry.throttles.set(throttleKey, throttle);
    }
    limits.push({ throttle, cost: group.cost, identityPaths, rates: group.rates });
  }
  return limits;
}

/** One limit's settings as text, whatever their order and however an absent one is written (for spotting a limit given twice). */
function canonicalSettings(settings: RateLimitSettings): string {
  const s = settings as unknown as Record<string, unknown>;
  return JSON.stringify(Object.fromEntries(SETTING_NAMES.filter((n) => s[n] != null).map((n) => [n, s[n]])));
}

/** The error for a limit given twice on one field or type. */
export function repeatedLimitMessage(directiveName: string, coordinate: string, limit: string): string {
  return `@${directiveName} on ${coordinate}: the same limit is given twice (${limit}); two identical limits are one limit: remove one ` +
    '(for burst and sustained limits give different rates; to charge more per resolution use cost)';
}

/** Checks one directive's arguments (or one extensions entry) and returns them typed. */
function checkSettings(where: string, raw: unknown): RateLimitSettings {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigurationError(`${where}: settings must be an object such as { rate: "10/minute" }, got ${describeValue(raw)}`);
  }
  for (const name of Object.keys(raw)) {
    if (!SETTING_NAMES.includes(name)) {
      throw new ConfigurationError(`${where}: unknown argument "${name}" (known: ${SETTING_NAMES.join(', ')})`);
    }
  }
  const s = raw as Record<string, unknown>;
  if (typeof s.rate !== 'string') throw new ConfigurationError(`${where}: rate must be a string such as "10/minute", got ${describeValue(s.rate)}`);
  if (s.cost != null && (typeof s.cost !== 'number' || !Number.isSafeInteger(s.cost) || s.cost < 0)) {
    throw new ConfigurationError(`${where}: cost must be a whole number >= 0, got ${describeValue(s.cost)}`);
  }
  for (const name of ['costFn', 'uid', 'strategy'] as const) {
    if (s[name] != null && (typeof s[name] !== 'string' || s[name] === '')) {
      throw new ConfigurationError(`${where}: ${name} must be a non-empty string, got ${describeValue(s[name])}`);
    }
  }
  if (s.identityArgs != null && (!Array.isArray(s.identityArgs) || s.identityArgs.some((a) => typeof a !== 'string'))) {
    throw new ConfigurationError(`${where}: identityArgs must be a list of argument paths, got ${describeValue(s.identityArgs)}`);
  }
  return s as unknown as RateLimitSettings;
}
