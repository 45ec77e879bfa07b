import type { ExecutionArgs, ExecutionResult } from 'graphql';
import type { BudgetEngine } from './budget.js';
import { refusedResult, withCost, type ResultWithExtensions } from './results.js';

/** An `execute` or `subscribe` function of graphql-js's shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ExecuteFunction = (args: ExecutionArgs) => any;

/** Options of the wrapper: whether a call asks for the per-field breakdown. */
export interface WrapExecuteOptions {
  /** Called with the execution's arguments; true adds `extensions.cost.fields`. Default: never. */
  breakdown?: (args: ExecutionArgs) => boolean;
}

/**
 * Wraps an `execute` (or `subscribe`) function of graphql-js's shape (for
 * graphql-http, graphql-ws, or your own server): each call is priced and
 * charged first; a refused one resolves to a result with the error and
 * `extensions.cost` and runs nothing. A single result then gets the refund
 * and `extensions.cost`; a stream (subscription, `@defer`) keeps the charge.
 * Always resolves to a promise.
 */
export function wrapExecute(engine: BudgetEngine, execute: ExecuteFunction, options: WrapExecuteOptions = {}): (args: ExecutionArgs) => Promise<unknown> {
  return async (args) => {
    const admission = await engine.admit({
      schema: args.schema, document: args.document, variables: args.variableValues as Record<string, unknown> | null | undefined,
      operationName: args.operationName, context: args.contextValue, breakdown: options.breakdown?.(args) === true,
    });
    if (admission.refusal !== undefined) return refusedResult(admission.refusal);
    const result: unknown = await execute(args);
    if (result === null || typeof result !== 'object' || Symbol.asyncIterator in result) return result;
    return withCost(result as ResultWithExtensions, await engine.settle(admission.ticket, (result as ExecutionResult).data));
  };
}
