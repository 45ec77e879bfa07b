/**
 * The `traffik/extend` entry: what authors of strategies and backends need
 * (the step runner, key helpers, integer helpers, the Lua prelude). Apps
 * never need it. Needs no optional dependency.
 */
export { runSteps, type StepsResult } from './core/backends/run-steps.js';
