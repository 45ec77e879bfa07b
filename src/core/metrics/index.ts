export type { DecisionEvent, DecisionListener, DecisionOutcome } from './decision-event.js';
export { outcomeOf } from './decision-event.js';
export type { ThrottleStats, RateStats } from './throttle-stats.js';
export {
  TraffikMetrics, BREAKER_STATE_VALUE, type TraffikMetricsOptions, type MeterLike, type HistogramLike, type ObservableLike,
  type ObservableResultLike, type InstrumentOptionsLike, type MetricAttributesLike, type BreakerLike,
} from './opentelemetry.js';
