import { execute as graphqlExecute, subscribe as graphqlSubscribe, type ExecutionArgs } from 'graphql';
import type { ConnectionInitMessage, ServerOptions } from 'graphql-ws';
import { ConfigurationError, describeValue } from '../../core/errors.js';
import { asksForBreakdown, headerValue, type BudgetEngine } from './budget.js';
import { wrapExecute, type ExecuteFunction } from './execute.js';

/** The request headers of a graphql-ws context (`ctx.extra.request`, as `useServer` from `graphql-ws/use/ws` sets it). */
function upgradeHeaders(context: unknown): unknown {
  if (context === null || typeof context !== 'object') return undefined;
  const c = context as { extra?: { request?: { headers?: unknown } }; request?: { headers?: unknown }; req?: { headers?: unknown } };
  return c.extra?.request?.headers ?? c.request?.headers ?? c.req?.headers;
}

/**
 * graphql-ws server options whose operations are charged like HTTP ones:
 * `serverOptions` with `execute` and `subscribe` wrapped (yours, or
 * graphql-js's). A query or mutation is charged before it runs and refunded
 * after, with `extensions.cost` in its result; a subscription is charged once
 * when it starts. A refused operation gets one result with the error
 * (`THROTTLED`, `MAX_COST_EXCEEDED`) and completes; the socket stays open.
 * When you give no `context`, the operation's context is graphql-ws's `ctx`
 * (so `identify` can read `ctx.extra.request`). The breakdown header is read
 * from the socket's upgrade request.
 */
export function costBudgetGraphqlWs<P extends ConnectionInitMessage['payload'], E>(
  engine: BudgetEngine, serverOptions: ServerOptions<P, E>, breakdownHeader: string | undefined,
): ServerOptions<P, E> {
  if (serverOptions === null || typeof serverOptions !== 'object' || serverOptions.schema === undefined) {
    throw new ConfigurationError(`costBudget.graphqlWs: serverOptions must be graphql-ws server options with a schema, got ${describeValue(serverOptions)}`);
  }
  const breakdown = (args: ExecutionArgs): boolean => breakdownHeader !== undefined && asksForBreakdown(headerValue(upgradeHeaders(args.contextValue), breakdownHeader));
  const options: ServerOptions<P, E> = {
    ...serverOptions,
    execute: wrapExecute(engine, (serverOptions.execute ?? graphqlExecute) as ExecuteFunction, { breakdown }) as ServerOptions<P, E>['execute'],
    subscribe: wrapExecute(engine, (serverOptions.subscribe ?? graphqlSubscribe) as ExecuteFunction, { breakdown }) as ServerOptions<P, E>['subscribe'],
  };
  if (serverOptions.context === undefined) options.context = (ctx) => ctx as never;
  return options;
}
