import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Admission, BudgetEngine } from './budget.js';
import { refusedResult, withCost, type ResultWithExtensions } from './results.js';

/** An `execute` or `subscribe` function of graphql-js's shape. */
export type ExecuteFunction<R = unknown> = (args: ExecutionArgs) => R;

/** What a wrapped function returns: what the wrapped one resolves to, or a refusal's result. */
export type WrappedExecute<R = unknown> = (args: ExecutionArgs) => Promise<Awaited<R> | ExecutionResult>;

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
 * Always resolves, never rejects: a throwing `identify` (or an `onError:
 * 'raise'` policy) gives a result with that error.
 */
export function wrapExecute<R>(engine: BudgetEngine, execute: ExecuteFunction<R>, options: WrapExecuteOptions = {}): WrappedExecute<R> {
  return async (args): Promise<Awaited<R> | ExecutionResult> => {
    let admission: Admission;
    try {
      admission = await engine.admit({
        schema: args.schema, document: args.document, variables: args.variableValues as Record<string, unknown> | null | undefined,
        operationName: args.operationName, context: args.contextValue, breakdown: options.breakdown?.(args) === true,
      });
    } catch (error) {
      // identify threw (or onError 'raise'): an error result, as execute itself reports failures (a socket stays open).
      return { errors: [error instanceof GraphQLError ? error : new GraphQLError(error instanceof Error ? error.message : String(error), { originalError: error instanceof Error ? error : undefined })] };
    }
    if (admission.refusal !== undefined) return refusedResult(admission.refusal);
    const result: Awaited<R> = await execute(args);
    const single: unknown = result;
    if (single === null || typeof single !== 'object' || Symbol.asyncIterator in single) return result;
    return withCost(single as ResultWithExtensions, await engine.settle(admission.ticket, single as ExecutionResult));
  };
}
