import { mergeStepDecisions, type Decision } from '../core/index.js';

/** One limited field's status in a response's `extensions`, after all its hits in the operation. */
export interface FieldRateLimitStatus {
  /** The most units the caller can hold at once (of the limit with the fewest units left). */
  limit: number;
  /** Units still available after the operation's last hit on this field. */
  remaining: number;
  /** 0 if the last hit passed; else the wait before it could pass (`null`: never). */
  retryAfterMs: number | null;
  /** Time until the caller's budget is full again. */
  resetAfterMs: number;
  /** Resolutions of this field that passed in this operation. */
  allowed: number;
  /** Resolutions of this field that were limited in this operation. */
  denied: number;
}

/** Statuses by field coordinate (`"Query.search"`). */
export type RateLimitStatus = Record<string, FieldRateLimitStatus>;

interface FieldRecord {
  /** The latest decision of each limit on the field. */
  latest: Map<unknown, Decision>;
  allowed: number;
  denied: number;
}

const tracked = new WeakMap<object, Map<string, FieldRecord>>();

/**
 * Starts collecting the status of every limited field resolved with this
 * context object. Untracked contexts cost nothing: the directive records
 * only for contexts passed here (the plugins do it for you).
 */
export function trackRateLimitStatus(context: object): void {
  if (!tracked.has(context)) tracked.set(context, new Map());
}

/**
 * Called by the directive for each decided hit; records it when `context`
 * is tracked. `limit` tells apart several limits on one field.
 */
export function recordFieldDecision(context: unknown, coordinate: string, limit: unknown, decision: Decision, allowed: boolean): void {
  if (context === null || typeof context !== 'object') return;
  const fields = tracked.get(context);
  if (fields === undefined) return;
  let record = fields.get(coordinate);
  if (record === undefined) {
    record = { latest: new Map(), allowed: 0, denied: 0 };
    fields.set(coordinate, record);
  }
  record.latest.set(limit, decision);
  if (allowed) record.allowed++;
  else record.denied++;
}

/**
 * The status collected so far for a tracked context (`undefined` if it is
 * not tracked or no limited field was resolved). Exempt resolutions are not
 * counted.
 */
export function rateLimitStatus(context: object): RateLimitStatus | undefined {
  const fields = tracked.get(context);
  if (fields === undefined || fields.size === 0) return undefined;
  const status: RateLimitStatus = {};
  for (const [coordinate, record] of fields) {
    const merged = mergeStepDecisions([...record.latest.values()]);
    status[coordinate] = {
      limit: merged.limit,
      remaining: merged.remaining,
      retryAfterMs: Number.isFinite(merged.retryAfterMs) ? merged.retryAfterMs : null,
      resetAfterMs: merged.resetAfterMs,
      allowed: record.allowed,
      denied: record.denied,
    };
  }
  return status;
}

/** Options of `rateLimitStatusPlugin`. */
export interface RateLimitStatusPluginOptions {
  /** The key under the response's `extensions` (default `"rateLimit"`). */
  extensionKey?: string;
}

interface ResultWithExtensions {
  extensions?: Record<string, unknown>;
}

/** The hooks of the plugin: envelop / GraphQL Yoga (`onExecute`) and Apollo Server 4/5 (`requestDidStart`). */
export interface RateLimitStatusPlugin {
  /** envelop / Yoga hook: tracks the execution's context and adds the status to its result. */
  onExecute(payload: { args: { contextValue?: unknown } }): {
    onExecuteDone(payload: { result: unknown; setResult(result: ResultWithExtensions): void }): void;
  };
  /** Apollo Server hook: tracks the request's context and adds the status to its single result. */
  requestDidStart(requestContext: { contextValue?: unknown }): Promise<{
    willSendResponse(requestContext: { contextValue?: unknown; response: { body: unknown } }): Promise<void>;
  }>;
}

/**
 * A plugin that puts each limited field's status into the response's
 * `extensions.rateLimit` (`{ "Query.search": { limit, remaining, retryAfterMs,
 * resetAfterMs, allowed, denied } }`). The same object works as a GraphQL
 * Yoga / envelop plugin and as an Apollo Server plugin. Responses with no
 * limited field get no entry; streamed (incremental) results are left as
 * they are.
 */
export function rateLimitStatusPlugin(options: RateLimitStatusPluginOptions = {}): RateLimitStatusPlugin {
  const key = options.extensionKey ?? 'rateLimit';
  const withStatus = (context: unknown, result: ResultWithExtensions): ResultWithExtensions | undefined => {
    if (context === null || typeof context !== 'object') return undefined;
    const status = rateLimitStatus(context);
    return status === undefined ? undefined : { ...result, extensions: { ...result.extensions, [key]: status } };
  };
  return {
    onExecute({ args }) {
      const context = args.contextValue;
      if (context !== null && typeof context === 'object') trackRateLimitStatus(context);
      return {
        onExecuteDone({ result, setResult }) {
          if (result === null || typeof result !== 'object' || Symbol.asyncIterator in result) return;
          const updated = withStatus(context, result as ResultWithExtensions);
          if (updated !== undefined) setResult(updated);
        },
      };
    },
    async requestDidStart({ contextValue }) {
      if (contextValue !== null && typeof contextValue === 'object') trackRateLimitStatus(contextValue);
      return {
        async willSendResponse({ contextValue: context, response }) {
          const body = response.body as { kind?: string; singleResult?: ResultWithExtensions };
          if (body?.kind !== 'single' || !body.singleResult) return;
          const updated = withStatus(context, body.singleResult);
          if (updated !== undefined) body.singleResult.extensions = updated.extensions;
        },
      };
    },
  };
}
