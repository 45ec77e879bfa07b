import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql';
import { asksForBreakdown, headerValue, type BudgetEngine, type BudgetTicket } from './budget.js';
import type { Refusal } from './errors.js';
import { refusedResult, withCost, type ResultWithExtensions } from './results.js';

/** What the plugin reads of envelop's execution arguments. */
interface ExecutionArgsLike {
  schema: GraphQLSchema;
  document: DocumentNode;
  variableValues?: Record<string, unknown> | null | undefined;
  operationName?: string | null | undefined;
  contextValue?: unknown;
}

/** The hooks of the envelop / GraphQL Yoga plugin. */
export interface CostBudgetEnvelopPlugin {
  /** Queries and mutations: charge before, refund after, `extensions.cost` in the result. */
  onExecute(payload: { args: ExecutionArgsLike; setResultAndStopExecution(result: ExecutionResult): void }): Promise<void | {
    onExecuteDone(payload: { result: unknown; setResult(result: ResultWithExtensions): void }): Promise<void>;
  }>;
  /** Subscriptions: charged once when they start (no refund: the stream's cost is unknown). */
  onSubscribe(payload: { args: ExecutionArgsLike; setResultAndStopExecution(result: ExecutionResult): void }): Promise<void>;
}

/** Yoga reads `extensions.http.headers` as a plain object. */
const yogaHttp = (refusal: Refusal): unknown => ({ status: refusal.status, headers: refusal.headers });

/** The breakdown header of a Yoga context (`context.request`) or a Node one (`context.req`). */
function breakdownAsked(context: unknown, header: string | undefined): boolean {
  if (header === undefined || context === null || typeof context !== 'object') return false;
  const c = context as { request?: { headers?: unknown }; req?: { headers?: unknown } };
  return asksForBreakdown(headerValue(c.request?.headers ?? c.req?.headers, header));
}

/**
 * The envelop / GraphQL Yoga plugin. A refused operation never executes: its
 * result is the error (with HTTP 429 and `Retry-After` / `RateLimit` headers
 * for `THROTTLED`, 400 for `MAX_COST_EXCEEDED`, 503 when the store failed);
 * an admitted one gets `extensions.cost` once the refund is settled.
 */
export function costBudgetEnvelopPlugin(engine: BudgetEngine, breakdownHeader: string | undefined): CostBudgetEnvelopPlugin {
  const admit = async (args: ExecutionArgsLike, stop: (result: ExecutionResult) => void): Promise<BudgetTicket | undefined> => {
    const admission = await engine.admit({
      schema: args.schema, document: args.document, variables: args.variableValues, operationName: args.operationName,
      context: args.contextValue, breakdown: breakdownAsked(args.contextValue, breakdownHeader),
    });
    if (admission.refusal !== undefined) {
      stop(refusedResult(admission.refusal, yogaHttp));
      return undefined;
    }
    return admission.ticket;
  };
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const ticket = await admit(args, setResultAndStopExecution);
      if (ticket === undefined) return;
      return {
        async onExecuteDone({ result, setResult }) {
          if (result === null || typeof result !== 'object' || Symbol.asyncIterator in result) return; // incremental delivery: charge stands
          const cost = await engine.settle(ticket, result as ExecutionResult);
          setResult(withCost(result as ResultWithExtensions, cost));
        },
      };
    },
    async onSubscribe({ args, setResultAndStopExecution }) {
      await admit(args, setResultAndStopExecution);
    },
  };
}
