/**
 * The `traffik/extend` entry: what authors of strategies, backends and
 * integrations need (the step runner, key helpers, integer helpers, the Lua
 * prelude, the backlog machine, time bounds and backend calls). Apps never
 * need it. Needs no optional dependency.
 */
export { runSteps, type StepsResult } from './core/backends/run-steps.js';
export type { Backend, ApplyRequest, BatchRequest, ReadRequest, ReadResult } from './core/backends/backend.js';
export type { Strategy, StepOutcome, AnyStrategy, StepArgs, StepOp, StateDescription, LuaStep } from './core/strategies/strategy.js';
export { keyPart, scopeKey, stateSuffix } from './core/keys.js';
export { mergeStepDecisions, unlimitedStep } from './core/decision.js';
export { floorDiv, ceilDiv } from './core/strategies/integer-math.js';
export { parseIntegers } from './core/strategies/strategy.js';
export { LUA_PRELUDE } from './core/strategies/integer-math.lua.js';
export { BacklogStrategy, drainBacklog, type BacklogState } from './core/strategies/backlog.js';
export { isLeaseStrategy, type Lease, type LeaseOperation, type LeaseStrategy } from './core/strategies/concurrency-limit.js';
export { isBackend, checkBackend, describeBackend, bounded, boundedApply, callBackend } from './core/backend-call.js';
export { isPromiseLike, sleep, withTimeout, boundUserFunction, DEFAULT_FUNCTION_TIMEOUT_MS } from './core/time-bounds.js';
