import { collectFields } from '@graphql-tools/utils';
import { getOperationAST, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema } from 'graphql';
import { RATE_LIMITED, RATE_LIMITER_UNAVAILABLE } from './rate-limit-error.js';

/**
 * An operation none of whose root fields ran because every one was limited:
 * the HTTP answer it deserves. 429 when they were rate limited, 503 when at
 * least one failed because the limiter's store did.
 */
export interface LimitedOperation {
  status: 429 | 503;
  /** The longest wait among the root fields, in ms; `null` when one can never pass (then no `Retry-After`). */
  retryAfterMs: number | null;
}

/** What an error in a result looks like here: graphql-js errors and Apollo's formatted ones alike. */
interface ResultError {
  readonly path?: readonly (string | number)[] | undefined;
  readonly extensions?: Record<string, unknown> | undefined;
}

/** The operation being run: what the servers' hooks know. */
export interface OperationInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null | undefined;
  variables?: Record<string, unknown> | null | undefined;
}

/**
 * Tells whether every root field of the operation (after `@skip`/`@include`
 * and fragments) failed with `RATE_LIMITED` or `RATE_LIMITER_UNAVAILABLE` at
 * its own path, and if so the status and wait to answer with. Undefined when
 * at least one root field ran (or fell back through `onLimit`), or when the
 * operation cannot be found. Never throws.
 */
export function limitedOperation(operation: OperationInput, errors: readonly ResultError[] | undefined): LimitedOperation | undefined {
  if (errors === undefined || errors.length === 0) return undefined;
  try {
    const ast = getOperationAST(operation.document, operation.operationName ?? undefined);
    if (ast === null || ast === undefined) return undefined;
    const rootType = operation.schema.getRootType(ast.operation);
    if (rootType === null || rootType === undefined) return undefined;
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const definition of operation.document.definitions) {
      if (definition.kind === 'FragmentDefinition') fragments[definition.name.value] = definition;
    }
    const { fields } = collectFields(operation.schema, fragments, operation.variables ?? {}, rootType, ast.selectionSet);
    if (fields.size === 0) return undefined;
    const atRoot = new Map<string, ResultError>();
    for (const error of errors) {
      const code = error.extensions?.code;
      if (error.path?.length === 1 && typeof error.path[0] === 'string' && (code === RATE_LIMITED || code === RATE_LIMITER_UNAVAILABLE)) {
        atRoot.set(error.path[0], error);
      }
    }
    let status: 429 | 503 = 429;
    let retryAfterMs: number | null = 0;
    for (const responseKey of fields.keys()) {
      const error = atRoot.get(responseKey);
      if (error === undefined) return undefined;
      if (error.extensions?.code === RATE_LIMITER_UNAVAILABLE) status = 503;
      const wait = error.extensions?.retryAfterMs;
      if (typeof wait !== 'number') retryAfterMs = null;
      else if (retryAfterMs !== null && wait > retryAfterMs) retryAfterMs = wait;
    }
    return { status, retryAfterMs };
  } catch {
    return undefined;
  }
}

/** The `Retry-After` header value (whole seconds, rounded up) for a wait, or undefined when there is none to give. */
export function retryAfterHeader(retryAfterMs: number | null): string | undefined {
  return retryAfterMs === null ? undefined : String(Math.ceil(retryAfterMs / 1000));
}
