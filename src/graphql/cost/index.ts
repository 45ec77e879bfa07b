/**
 * GraphQL operation cost budgets: the cost analysis (`operationCost`, IBM
 * `@cost` / `@listSize`), the per-caller budget (`costBudget`) and its
 * plugins for GraphQL Yoga / envelop, Apollo Server, graphql-ws and plain
 * `execute`. Re-exported by `traffik/graphql`.
 */
export { costBudget, type CostBudget, type CostBudgetOptions } from './cost-budget.js';
export { operationCost, type CostOptions, type OperationCost } from './analysis.js';
export { actualCost, type ActualCost, type ActualCostOptions } from './actual.js';
export { COST_DEFAULTS, COST_ANALYSIS_FAILED, CostAnalysisError, type CostDefaults } from './scope.js';
export { costDirectivesTypeDefs, type ListSizeSettings } from './settings.js';
export {
  MAX_COST_EXCEEDED, THROTTLED, maxCostExceededError, throttledError,
  type CostExtension, type ThrottleStatus, type Refusal,
} from './errors.js';
export { BudgetEngine, type BudgetIdentify, type BudgetRequest, type BudgetTicket, type Admission } from './budget.js';
export type { CostBudgetEnvelopPlugin } from './envelop.js';
export type { CostBudgetApolloPlugin } from './apollo.js';
export type { ExecuteFunction, WrapExecuteOptions, WrappedExecute } from './execute.js';
