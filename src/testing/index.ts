/**
 * The `traffik/testing` entry: a conformance kit for backends (your own
 * store included) and a manual clock for tests. Needs vitest or jest
 * globals (`describe`, `it`) only when `describeBackendConformance` is called
 * without them.
 */
export { ManualClock, MANUAL_CLOCK_START_MS, type ManualClockConstructor } from './manual-clock.js';
export { describeBackendConformance, ConformanceError, type ConformanceOptions, type DescribeFunction, type ItFunction } from './conformance.js';
export {
  conformanceChecks, defaultStrategies,
  type ConformanceCheck, type ConformanceCheckOptions, type ConformanceResult, type ConformanceSetup, type MakeBackend,
} from './checks.js';
export type { ConformanceDifference } from './report.js';
