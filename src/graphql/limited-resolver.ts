import type { GraphQLError, GraphQLFieldResolver, GraphQLResolveInfo } from 'graphql';
import { ConfigurationError, EXEMPTED, keyPart, type Decision, type Exempted } from '../core/index.js';
import { describeValue } from '../core/errors.js';
import type { AheadStore } from './charge-ahead.js';
import type { FieldLimit } from './field-limits.js';
import type { HitBatcher } from './hit-batcher.js';
import { identityArgsKey } from './identity-args.js';
import { badCostInputError, isStoreFailure, limiterUnavailableError, rateLimitError } from './rate-limit-error.js';
import { settleWithin } from './settle-within.js';
import { recordFieldDecision } from './status.js';
import { isPromiseLike, sleep } from '../core/time-bounds.js';

/** What `onLimit` is told about the limited resolution. */
export interface LimitDetails<Ctx = unknown> {
  /** The decision that denied the hit (`retryAfterMs`, `limit`, `remaining`, ...). */
  decision: Decision;
  /** The field coordinate, e.g. `"Query.search"`. */
  coordinate: string;
  source: unknown;
  args: Record<string, unknown>;
  context: Ctx;
  info: GraphQLResolveInfo;
}

/**
 * Called when a resolution is limited, instead of failing the field with
 * `error` (the default `RATE_LIMITED` error); awaited. What it returns
 * becomes the field's value: return `error` (or another `Error`) to fail the
 * field with it, or a fallback value. A throw fails the field with the thrown
 * error. On a subscription field it must return or throw an error.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OnLimit<Ctx = any> = (error: GraphQLError, details: LimitDetails<Ctx>) => unknown;

/**
 * Finds who is calling. Called once per resolution of a limited field;
 * awaited when it returns a promise (at most `functionTimeoutMs`). Return a
 * string (or number) key, or `EXEMPTED` to skip limiting. A throw, or any
 * other value, fails that field (a thrown `GraphQLError` reaches the client
 * as it is; anything else is a server error).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Identify<Ctx = any> = (context: Ctx, info: GraphQLResolveInfo) => string | number | Exempted | Promise<string | number | Exempted>;

/** What every wrapped field of one directive shares. */
export interface LimitedFieldEnv {
  readonly batcher: HitBatcher;
  readonly identify: Identify;
  readonly onLimit: OnLimit | undefined;
  /** Decisions charged with a list before its items resolve (see `chargeAheadResolver`). */
  readonly store?: AheadStore | undefined;
  /** The bound on a promise from `identify` or a cost function, in ms. */
  readonly functionTimeoutMs: number;
  /** True when the backend is chosen per request: hits then carry their context and batch per context. */
  readonly perRequestBackend: boolean;
}

type Resolver = GraphQLFieldResolver<unknown, unknown, Record<string, unknown>>;



/**
 * Wraps `base` so that each call first passes `limits`, in order: each hit
 * goes through the batcher (one backend round trip per limit and caller for
 * all resolutions that become ready together). A denied hit stops there
 * (later limits are not charged) and the field resolves to the
 * `RATE_LIMITED` error, or to what `onLimit` gives. Identify and cost
 * functions that answer synchronously keep the hit synchronous, so a whole
 * list's resolutions join one batch.
 */
export function limitedResolver(base: Resolver, coordinate: string, limits: readonly FieldLimit[], env: LimitedFieldEnv): Resolver {
  const { batcher, identify, onLimit, functionTimeoutMs, perRequestBackend } = env;
  const store = limits.length === 1 ? env.store : undefined;

  const denied = (decision: Decision, source: unknown, args: Record<string, unknown>, context: unknown, info: GraphQLResolveInfo): unknown => {
    // The store failed (onError 'throttle'): say so, never as the caller's limit.
    if (isStoreFailure(decision)) throw limiterUnavailableError(decision, coordinate);
    const error = rateLimitError(decision, coordinate);
    if (onLimit === undefined) throw error;
    return onLimit(error, { decision, coordinate, source, args, context, info });
  };

  const pass = (index: number, caller: string, source: unknown, args: Record<string, unknown>, context: unknown, info: GraphQLResolveInfo): unknown => {
    if (index === limits.length) return base(source, args, context, info);
    const limit = limits[index]!;
    const key = limit.identityPaths.length === 0 ? caller : keyPart(caller) + identityArgsKey(args, limit.identityPaths);
    const charge = (cost: unknown): Promise<unknown> => {
      // Checked here, not in the batch: one bad cost must not fail the other hits sent with it.
      if (typeof cost !== 'number') {
        // Not a number at all: the cost function is wrong (a server bug, reported as an internal error).
        return Promise.reject(new ConfigurationError(`costFn of ${coordinate} returned ${describeValue(cost)}; expected a whole number >= 0`));
      }
      // A number out of range comes from the client's arguments (first: -1): the client's error.
      if (!Number.isSafeInteger(cost) || cost < 0) return Promise.reject(badCostInputError(coordinate, cost));
      return batcher.hit(limit.throttle, key, cost, perRequestBackend ? context : undefined).then(async (decision) => {
        recordFieldDecision(context, coordinate, limit, decision);
        if (!decision.allowed) return denied(decision, source, args, context, info);
        if (decision.delayMs !== undefined && decision.delayMs > 0) await sleep(decision.delayMs);
        return pass(index + 1, caller, source, args, context, info);
      });
    };
    if (typeof limit.cost === 'number') return charge(limit.cost);
    const cost = limit.cost({ args, context, info, source });
    return isPromiseLike(cost) ? settleWithin(cost, functionTimeoutMs, `The cost function of ${coordinate}`).then(charge) : charge(cost);
  };

  const start = (identity: unknown, source: unknown, args: Record<string, unknown>, context: unknown, info: GraphQLResolveInfo): unknown => {
    if (identity === EXEMPTED) return base(source, args, context, info);
    if (typeof identity === 'number' && Number.isFinite(identity)) return pass(0, String(identity), source, args, context, info);
    if (typeof identity !== 'string') {
      throw new ConfigurationError(
        `identify returned ${describeValue(identity)} for ${coordinate}; expected a string key or EXEMPTED ` +
          '(for callers you cannot name, return defaultIdentify(context): their client address)',
      );
    }
    return pass(0, identity, source, args, context, info);
  };

  return function rateLimitedResolver(source, args, context, info) {
    const ahead = store?.take(info);
    if (ahead !== undefined) {
      // Charged with its list: decide now, without waiting.
      if (ahead === EXEMPTED) return base(source, args, context, info);
      recordFieldDecision(context, coordinate, limits[0]!, ahead);
      if (!ahead.allowed) return denied(ahead, source, args, context, info);
      if (ahead.delayMs !== undefined && ahead.delayMs > 0) return sleep(ahead.delayMs).then(() => base(source, args, context, info));
      return base(source, args, context, info);
    }
    const identity = identify(context, info);
    if (isPromiseLike(identity)) {
      return settleWithin(identity, functionTimeoutMs, `identify (for ${coordinate})`).then((id) => start(id, source, args, context, info));
    }
    return start(identity, source, args, context, info);
  };
}
