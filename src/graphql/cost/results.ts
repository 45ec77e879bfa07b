import { GraphQLError, type ExecutionResult, type GraphQLErrorExtensions } from 'graphql';
import type { CostExtension, Refusal } from './errors.js';

/** An execution result with its `extensions`. */
export type ResultWithExtensions = ExecutionResult & { extensions?: Record<string, unknown> };

/**
 * The result of a refused operation: its error, with `extensions.http` set to
 * what `httpExtension` makes of the status and headers (servers send it and
 * strip it; omit it where no HTTP response exists), and `extensions.cost`.
 */
export function refusedResult(refusal: Refusal, httpExtension?: (refusal: Refusal) => unknown): ResultWithExtensions {
  const { error } = refusal;
  const extensions = httpExtension === undefined ? { ...error.extensions } : { ...error.extensions, http: httpExtension(refusal) };
  // The servers' own typings narrow `http`; its shape is theirs (Yoga: a headers object, Apollo: a Map).
  const result: ResultWithExtensions = { errors: [new GraphQLError(error.message, { nodes: error.nodes, extensions: extensions as GraphQLErrorExtensions })] };
  if (refusal.cost !== undefined) result.extensions = { cost: refusal.cost };
  return result;
}

/** `result` with `extensions.cost` set. */
export function withCost(result: ResultWithExtensions, cost: CostExtension): ResultWithExtensions {
  return { ...result, extensions: { ...result.extensions, cost } };
}
