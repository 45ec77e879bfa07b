import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Decision, StepDecision } from '../core/index.js';
import { limitedOperation, retryAfterHeader } from './limited-operation.js';

/** One rate's own numbers (a field with several rates lists each in `policies`). */
export interface RateStatus {
  /** The rate, as written (`"10/minute"`). */
  rate: string;
  /** The most units the caller can hold at once under this rate. */
  limit: number;
  /** Units still available under this rate. */
  remaining: number;
  /** 0 if the last hit passed this rate; else the wait before it could (`null`: never). */
  retryAfterMs: number | null;
  /** Time until this rate's budget is full again. */
  resetAfterMs: number;
}

/**
 * One limited field's status in a response's `extensions`, after all its
 * hits in the operation. `limit`, `remaining`, `retryAfterMs` and
 * `resetAfterMs` all come from one rate, the binding one (the denying rate
 * with the longest wait, else the rate with the fewest units left), never
 * mixed from two; `rate` names it.
 */
export interface FieldRateLimitStatus {
  /** The binding rate, as written. */
  rate: string;
  /** The most units the caller can hold at once under the binding rate. */
  limit: number;
  /** Units still available after the operation's last hit on this field. */
  remaining: number;
  /** 0 if the last hit passed; else the wait before it could pass (`null`: never). */
  retryAfterMs: number | null;
  /** Time until the binding rate's budget is full again. */
  resetAfterMs: number;
  /** Resolutions of this field that passed in this operation. */
  allowed: number;
  /** Resolutions of this field that were limited in this operation. */
  denied: number;
  /** Shadow mode: resolutions that passed but would have been limited (present when > 0). */
  shadowDenied?: number;
  /** Resolutions that failed because the limiter's store failed (present when > 0). */
  unavailable?: number;
  /** Each rate's own numbers, when the field has more than one rate. */
  policies?: RateStatus[];
}

/** Statuses by field coordinate (`"Query.search"`). */
export type RateLimitStatus = Record<string, FieldRateLimitStatus>;

/** What the status needs of one limit on a field: the rates it checks, as written. */
export interface RecordedLimit {
  readonly rates: readonly string[];
}

interface FieldRecord {
  /** The latest decision of each limit on the field. */
  latest: Map<RecordedLimit, Decision>;
  allowed: number;
  denied: number;
  shadowDenied: number;
  unavailable: number;
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
 * is tracked. `limit` tells apart several limits on one field and names
 * their rates.
 */
export function recordFieldDecision(context: unknown, coordinate: string, limit: RecordedLimit, decision: Decision): void {
  if (context === null || typeof context !== 'object') return;
  const fields = tracked.get(context);
  if (fields === undefined) return;
  let record = fields.get(coordinate);
  if (record === undefined) {
    record = { latest: new Map(), allowed: 0, denied: 0, shadowDenied: 0, unavailable: 0 };
    fields.set(coordinate, record);
  }
  record.latest.set(limit, decision);
  if (!decision.allowed) {
    if (decision.error !== undefined) record.unavailable++;
    else record.denied++;
  } else {
    record.allowed++;
    if (decision.shadowDenied === true) record.shadowDenied++;
  }
}

/** Each rate's own numbers in `decision` (its policies, or the decision itself for a single rate). */
function ratesOf(limit: RecordedLimit, decision: Decision): RateStatus[] {
  const steps: StepDecision[] = decision.policies ?? [decision];
  return steps.map((step, i) => ({
    rate: limit.rates[i] ?? decision.policies?.[i]?.rate.toString() ?? limit.rates.join(', '),
    limit: step.limit,
    remaining: step.remaining,
    // Each step's own wait: 0 for a rate that allowed; the real wait of a shadow-mode would-be denial.
    retryAfterMs: Number.isFinite(step.retryAfterMs) ? step.retryAfterMs : null,
    resetAfterMs: step.resetAfterMs,
  }));
}

/** The binding rate: the denying one with the longest wait (`null` = never, the longest), else the one with the fewest units left. */
function bindingRate(rates: readonly RateStatus[]): RateStatus {
  let binding = rates[0]!;
  for (const r of rates) {
    const waits = r.retryAfterMs === null || r.retryAfterMs > 0;
    const bindingWaits = binding.retryAfterMs === null || binding.retryAfterMs > 0;
    if (waits !== bindingWaits) {
      if (waits) binding = r;
      continue;
    }
    if (waits) {
      if (binding.retryAfterMs !== null && (r.retryAfterMs === null || r.retryAfterMs > binding.retryAfterMs)) binding = r;
    } else if (r.remaining < binding.remaining || (r.remaining === binding.remaining && r.limit < binding.limit)) {
      binding = r;
    }
  }
  return binding;
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
    const rates = [...record.latest].flatMap(([limit, decision]) => ratesOf(limit, decision));
    const binding = bindingRate(rates);
    const entry: FieldRateLimitStatus = {
      rate: binding.rate,
      limit: binding.limit,
      remaining: binding.remaining,
      retryAfterMs: binding.retryAfterMs,
      resetAfterMs: binding.resetAfterMs,
      allowed: record.allowed,
      denied: record.denied,
    };
    if (record.shadowDenied > 0) entry.shadowDenied = record.shadowDenied;
    if (record.unavailable > 0) entry.unavailable = record.unavailable;
    if (rates.length > 1) entry.policies = rates;
    status[coordinate] = entry;
  }
  return status;
}

/** Options of `rateLimitStatusPlugin`. */
export interface RateLimitStatusPluginOptions {
  /** The key under the response's `extensions` (default `"rateLimit"`). */
  extensionKey?: string;
  /**
   * When every root field of an operation was limited, answer HTTP 429 (503
   * when the limiter's store failed) with `Retry-After` (default true). A
   * root field that ran, or fell back through `onLimit`, keeps the 200.
   */
  httpStatus?: boolean;
}

interface ResultWithExtensions {
  errors?: readonly { path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

/** The hooks of the plugin: envelop / GraphQL Yoga (`onExecute`) and Apollo Server 4/5 (`requestDidStart`). */
export interface RateLimitStatusPlugin {
  /** envelop / Yoga hook: tracks the execution's context and adds the status (and the HTTP status) to its result. */
  onExecute(payload: { args: ExecuteArgs }): {
    onExecuteDone(payload: { result: unknown; setResult(result: ResultWithExtensions): void }): void;
  };
  /** Apollo Server hook: tracks the request's context and adds the status (and the HTTP status) to its single result. */
  requestDidStart(requestContext: { contextValue?: unknown }): Promise<{
    willSendResponse(requestContext: ApolloResponseContext): Promise<void>;
  }>;
}

/** What the plugin reads of envelop's execution arguments. */
interface ExecuteArgs {
  contextValue?: unknown;
  schema?: GraphQLSchema;
  document?: DocumentNode;
  operationName?: string | null | undefined;
  variableValues?: Record<string, unknown> | null | undefined;
}

/** What the plugin reads and writes of Apollo Server's request context in `willSendResponse`. */
interface ApolloResponseContext {
  contextValue?: unknown;
  schema?: GraphQLSchema;
  document?: DocumentNode;
  operationName?: string | null;
  request?: { variables?: Record<string, unknown> | undefined };
  response: { body: unknown; http?: { status?: number | undefined; headers: { set(name: string, value: string): unknown } } };
}

/**
 * A plugin that puts each limited field's status into the response's
 * `extensions.rateLimit` (`{ "Query.search": { rate, limit, remaining,
 * retryAfterMs, resetAfterMs, allowed, denied, policies? } }`), and answers
 * HTTP 429 with `Retry-After` when every root field of the operation was
 * limited (see `httpStatus`). The same object works as a GraphQL Yoga /
 * envelop plugin and as an Apollo Server plugin. Responses with no limited
 * field get no entry; streamed (incremental) results are left as they are.
 */
export function rateLimitStatusPlugin(options: RateLimitStatusPluginOptions = {}): RateLimitStatusPlugin {
  const key = options.extensionKey ?? 'rateLimit';
  const httpStatus = options.httpStatus ?? true;
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
          let updated = withStatus(context, result as ResultWithExtensions);
          const limited = httpStatus && args.schema !== undefined && args.document !== undefined
            ? limitedOperation(
              { schema: args.schema, document: args.document, operationName: args.operationName, variables: args.variableValues },
              (result as ResultWithExtensions).errors,
            )
            : undefined;
          if (limited !== undefined) {
            const base = updated ?? (result as ResultWithExtensions);
            const retryAfter = retryAfterHeader(limited.retryAfterMs);
            // GraphQL Yoga answers with extensions.http's status and headers, and strips it from the body.
            const http = { status: limited.status, ...(retryAfter !== undefined ? { headers: { 'Retry-After': retryAfter } } : {}) };
            updated = { ...base, extensions: { ...base.extensions, http } };
          }
          if (updated !== undefined) setResult(updated);
        },
      };
    },
    async requestDidStart({ contextValue }) {
      if (contextValue !== null && typeof contextValue === 'object') trackRateLimitStatus(contextValue);
      return {
        async willSendResponse(requestContext) {
          const { contextValue: context, response } = requestContext;
          const body = response.body as { kind?: string; singleResult?: ResultWithExtensions };
          if (body?.kind !== 'single' || !body.singleResult) return;
          const updated = withStatus(context, body.singleResult);
          if (updated !== undefined) body.singleResult.extensions = updated.extensions;
          const { schema, document } = requestContext;
          if (!httpStatus || schema === undefined || document === undefined || response.http === undefined) return;
          const limited = limitedOperation(
            { schema, document, operationName: requestContext.operationName, variables: requestContext.request?.variables },
            body.singleResult.errors,
          );
          if (limited === undefined) return;
          response.http.status = limited.status;
          const retryAfter = retryAfterHeader(limited.retryAfterMs);
          if (retryAfter !== undefined) response.http.headers.set('retry-after', retryAfter);
        },
      };
    },
  };
}
