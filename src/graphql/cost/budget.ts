import type { DocumentNode, GraphQLSchema } from 'graphql';
import { EXEMPTED, type Decision, type Exempted, type Throttle } from '../../core/index.js';
import { ConfigurationError, describeValue } from '../../core/errors.js';
import { rateLimitHeaderFields } from '../../trpc/headers.js';
import { actualCost, type ActualCost, type ActualCostOptions } from './actual.js';
import { analyse } from './analysis.js';
import {
  limiterUnavailableError, maxCostExceededError, throttledError, type CostExtension, type Refusal, type ThrottleStatus,
} from './errors.js';
import { CostAnalysisError, type CostDefaults } from './scope.js';

/**
 * Finds who is calling, from the operation's context value. Called once per
 * operation, before it runs; awaited. Return a string (or finite number)
 * key, or `EXEMPTED` to skip the budget (the maximum cost still applies).
 * A throw, or any other value, fails the operation with that error.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type BudgetIdentify<Ctx = any> = (context: Ctx) => string | number | Exempted | Promise<string | number | Exempted>;

/** One operation to admit: what the analysis needs, the context and whether the caller asked for a breakdown. */
export interface BudgetRequest {
  readonly schema: GraphQLSchema;
  readonly document: DocumentNode;
  readonly variables?: Record<string, unknown> | null | undefined;
  readonly operationName?: string | null | undefined;
  readonly context: unknown;
  /** True when the request carried the breakdown header. */
  readonly breakdown?: boolean;
}

/** An admitted operation: what was charged and to whom, until its refund. */
export interface BudgetTicket {
  readonly request: BudgetRequest;
  /** The charged key; `undefined` for an exempt caller (nothing charged). */
  readonly key: string | undefined;
  readonly requested: number;
  /** The charge's decision (`undefined` for an exempt caller). */
  readonly decision: Decision | undefined;
  readonly requestedFields: Record<string, number> | undefined;
}

/** What `admit` decides: run the operation under `ticket`, or answer `refusal`. */
export type Admission = { readonly ticket: BudgetTicket; readonly refusal?: undefined } | { readonly refusal: Refusal; readonly ticket?: undefined };

/** What the budget engine needs; `costBudget` builds it from its options. */
export interface BudgetSettings {
  readonly throttle: Throttle<unknown>;
  readonly identify: BudgetIdentify;
  readonly maxCost: number;
  readonly restoreRate: number;
  readonly defaults: CostDefaults;
}

/**
 * The budget's two steps, shared by every server plugin: `admit` prices the
 * operation and charges the requested cost in one atomic step (one round
 * trip on Redis), `settle` prices what ran and gives back `requested -
 * actual` in one more (or charges the excess when a resolver returned more
 * than asked). Neither throws for a backend fault (the throttle's `onError`
 * decides); `admit` rejects only for a bad `identify` result or an
 * `onError: 'raise'` policy.
 */
export class BudgetEngine {
  constructor(private readonly settings: BudgetSettings) {}

  /** Prices `request` and charges it; the refusal says why not (too costly, throttled, store down, not analysable). */
  async admit(request: BudgetRequest): Promise<Admission> {
    const { throttle, maxCost, defaults } = this.settings;
    let priced;
    try {
      priced = analyse(request.schema, request.document, request.variables, defaults, { operationName: request.operationName, breakdown: request.breakdown });
    } catch (error) {
      if (!(error instanceof CostAnalysisError)) throw error;
      return { refusal: { error, status: 400, headers: {}, cost: undefined } };
    }
    const requested = priced.requested;
    if (requested > maxCost) {
      return { refusal: { error: maxCostExceededError(requested, maxCost), status: 400, headers: {}, cost: { requestedQueryCost: requested, actualQueryCost: null } } };
    }
    const identity = await this.settings.identify(request.context);
    if (identity === EXEMPTED) return { ticket: { request, key: undefined, requested, decision: undefined, requestedFields: priced.fields } };
    if (typeof identity !== 'string' && !(typeof identity === 'number' && Number.isFinite(identity))) {
      throw new ConfigurationError(`costBudget: identify returned ${describeValue(identity)}; expected a string key or EXEMPTED`);
    }
    const key = String(identity);
    const decision = await throttle.hit(key, { cost: requested, context: request.context });
    if (decision.allowed) return { ticket: { request, key, requested, decision, requestedFields: priced.fields } };
    if (decision.error !== undefined) {
      return { refusal: { error: limiterUnavailableError(decision), status: 503, headers: {}, cost: { requestedQueryCost: requested, actualQueryCost: null } } };
    }
    return {
      refusal: {
        error: throttledError(decision, requested),
        status: 429,
        headers: rateLimitHeaderFields([decision]),
        cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: this.status(decision) },
      },
    };
  }

  /**
   * Prices what ran (from the result's `data` and `errors`) and settles the charge.
   * Resolves with the response's `extensions.cost`; never rejects (a failed
   * refund leaves the charge as it was and reports the charge's status).
   */
  async settle(ticket: BudgetTicket, result: { readonly data?: unknown; readonly errors?: ActualCostOptions['errors'] }): Promise<CostExtension> {
    const { request, key, requested } = ticket;
    let priced: ActualCost;
    try {
      priced = actualCost(request.schema, request.document, request.variables, result.data, this.settings.defaults, {
        operationName: request.operationName, breakdown: request.breakdown, errors: result.errors,
      });
    } catch {
      priced = { actual: requested }; // cannot price what ran: keep the whole charge
    }
    const { actual, fields } = priced;
    const extension: CostExtension = { requestedQueryCost: requested, actualQueryCost: actual };
    if (ticket.requestedFields !== undefined) extension.fields = mergeFields(ticket.requestedFields, fields ?? {});
    // Exempt: nothing was charged. Store down (onError 'allow'): no budget to report or refund.
    if (key === undefined || ticket.decision === undefined || ticket.decision.error !== undefined) return extension;
    let after = ticket.decision;
    const { throttle } = this.settings;
    try {
      const difference = requested - actual;
      const adjusted = difference > 0 ? await throttle.refund(key, difference, { context: request.context })
        : difference < 0 ? await throttle.charge(key, -difference, { context: request.context }) : undefined;
      if (adjusted !== undefined && adjusted.error === undefined) after = adjusted;
    } catch {
      // The store failed on the refund: the charge stands, the response still goes out.
    }
    extension.throttleStatus = this.status(after);
    return extension;
  }

  private status(decision: Decision): ThrottleStatus {
    return { maximumAvailable: decision.limit, currentlyAvailable: decision.remaining, restoreRate: this.settings.restoreRate };
  }
}

function mergeFields(requested: Record<string, number>, actual: Record<string, number>): Record<string, { requested: number; actual: number | null }> {
  const merged: Record<string, { requested: number; actual: number | null }> = {};
  for (const [coordinate, share] of Object.entries(requested)) merged[coordinate] = { requested: share, actual: actual[coordinate] ?? 0 };
  for (const [coordinate, share] of Object.entries(actual)) merged[coordinate] ??= { requested: 0, actual: share };
  return merged;
}

/** Reads a request header from a Fetch `Headers`, a Node `IncomingHttpHeaders` or Apollo's `HeaderMap`. */
export function headerValue(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  const lower = name.toLowerCase();
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const value = (headers as { get(name: string): unknown }).get(lower);
    return typeof value === 'string' ? value : undefined;
  }
  const value = (headers as Record<string, unknown>)[lower];
  return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
}

/** True when a breakdown header's value asks for the breakdown (present, and not `0`, `false` or empty). */
export function asksForBreakdown(value: string | undefined): boolean {
  if (value === undefined) return false;
  const text = value.trim().toLowerCase();
  return text !== '' && text !== '0' && text !== 'false';
}
