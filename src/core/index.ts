/**
 * The barrel the package's own integrations (tRPC, GraphQL, graphql-ws)
 * import from: every public name of `traffik`, plus the helpers they
 * share. Not an entry of the package.
 */
export * from '../index.js';
export { keyPart, scopeKey, stateSuffix } from './keys.js';
export { mergeStepDecisions, unlimitedStep } from './decision.js';
export { isBackend, checkBackend } from './backend-call.js';
export { isPromiseLike, sleep, boundUserFunction, DEFAULT_FUNCTION_TIMEOUT_MS } from './time-bounds.js';
