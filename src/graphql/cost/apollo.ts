import { GraphQLError, type DocumentNode, type GraphQLErrorExtensions, type GraphQLSchema } from 'graphql';
import { asksForBreakdown, headerValue, type BudgetEngine, type BudgetTicket } from './budget.js';
import type { CostExtension } from './errors.js';

/** What the plugin reads of Apollo Server's request context. */
interface ApolloRequestContext {
  contextValue?: unknown;
  schema: GraphQLSchema;
  document?: DocumentNode;
  operationName?: string | null;
  request: { variables?: Record<string, unknown>; http?: { headers?: unknown } };
  response: { body?: unknown; http?: { status?: number; headers?: { set(name: string, value: string): unknown } } };
}

/** The hooks of the Apollo Server 4/5 plugin. */
export interface CostBudgetApolloPlugin {
  requestDidStart(requestContext: unknown): Promise<{
    /** Prices and charges the resolved operation; throws the refusal (Apollo answers it with its HTTP status). */
    didResolveOperation(requestContext: unknown): Promise<void>;
    /** Settles the refund and adds `extensions.cost` to the single result. */
    willSendResponse(requestContext: unknown): Promise<void>;
  }>;
}

/**
 * The Apollo Server (4 and 5) plugin. A refused operation never executes:
 * Apollo answers the thrown error with its `extensions.http` status (429 and
 * `Retry-After` / `RateLimit` headers for `THROTTLED`, 400 for
 * `MAX_COST_EXCEEDED`, 503 when the store failed); every single result gets
 * `extensions.cost`. Incremental (`@defer`) results keep the charge.
 */
export function costBudgetApolloPlugin(engine: BudgetEngine, breakdownHeader: string | undefined): CostBudgetApolloPlugin {
  return {
    async requestDidStart() {
      let ticket: BudgetTicket | undefined;
      let refusedCost: CostExtension | undefined;
      return {
        async didResolveOperation(raw) {
          const rc = raw as ApolloRequestContext;
          if (rc.document === undefined) return;
          const headers = rc.request.http?.headers;
          const admission = await engine.admit({
            schema: rc.schema, document: rc.document, variables: rc.request.variables, operationName: rc.operationName,
            context: rc.contextValue, breakdown: breakdownHeader !== undefined && asksForBreakdown(headerValue(headers, breakdownHeader)),
          });
          if (admission.ticket !== undefined) {
            ticket = admission.ticket;
            return;
          }
          const { error, status, headers: fields, cost } = admission.refusal;
          refusedCost = cost;
          throw new GraphQLError(error.message, {
            nodes: error.nodes,
            extensions: { ...error.extensions, http: { status, headers: new Map(Object.entries(fields)) } } as unknown as GraphQLErrorExtensions,
          });
        },
        async willSendResponse(raw) {
          const rc = raw as ApolloRequestContext;
          const body = rc.response.body as { kind?: string; singleResult?: { data?: unknown; errors?: readonly { path?: readonly (string | number)[] }[]; extensions?: Record<string, unknown> } } | undefined;
          if (body?.kind !== 'single' || body.singleResult === undefined) return;
          const cost = ticket !== undefined ? await engine.settle(ticket, body.singleResult) : refusedCost;
          if (cost !== undefined) body.singleResult.extensions = { ...body.singleResult.extensions, cost };
        },
      };
    },
  };
}
