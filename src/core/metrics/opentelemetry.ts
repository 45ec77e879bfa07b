import { ConfigurationError, describeValue } from '../errors.js';
import { checkOptionNames } from '../options.js';
import type { DecisionEvent, DecisionListener } from './decision-event.js';

/** Attribute values as OpenTelemetry takes them. */
export type MetricAttributesLike = Record<string, string | number | boolean>;

/** What an observable instrument's callback receives (OpenTelemetry's `ObservableResult`). */
export interface ObservableResultLike {
  observe(value: number, attributes?: MetricAttributesLike): void;
}

/** An asynchronous instrument (OpenTelemetry's `ObservableCounter` / `ObservableGauge`). */
export interface ObservableLike {
  addCallback(callback: (result: ObservableResultLike) => void): void;
}

/** A histogram (OpenTelemetry's `Histogram`). */
export interface HistogramLike {
  record(value: number, attributes?: MetricAttributesLike): void;
}

/** Options of an instrument. */
export interface InstrumentOptionsLike {
  description?: string;
  unit?: string;
}

/**
 * The part of an OpenTelemetry `Meter` Traffik uses, declared here so that
 * `traffik` never imports `@opentelemetry/api`: pass
 * `metrics.getMeter('my-app')` (from `@opentelemetry/api`) or any meter of
 * `@opentelemetry/sdk-metrics`; it fits this interface as it is.
 */
export interface MeterLike {
  createHistogram(name: string, options?: InstrumentOptionsLike): HistogramLike;
  createObservableCounter(name: string, options?: InstrumentOptionsLike): ObservableLike;
  createObservableGauge(name: string, options?: InstrumentOptionsLike): ObservableLike;
}

/** Anything with a circuit state, e.g. `CircuitBreaker` of `traffik/errors`. */
export interface BreakerLike {
  readonly name: string;
  readonly state: 'closed' | 'open' | 'half-open';
}

/** Options of `new TraffikMetrics(...)`. */
export interface TraffikMetricsOptions {
  /** Where the instruments are created (see `MeterLike`). */
  meter: MeterLike;
  /** Instrument name prefix (default `"traffik"`). */
  prefix?: string;
  /** Record each hit's latency in a histogram (default true; false saves its cost on the hot path). */
  latency?: boolean;
}

/** The gauge value of each circuit state. */
export const BREAKER_STATE_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

interface ThrottleCounts {
  readonly counts: Record<string, number>;
  readonly errors: Map<string, number>;
  readonly latencyAttributes: MetricAttributesLike;
}

const OUTCOME_KEYS = ['allowed', 'denied', 'exempt', 'error:true', 'error:false'] as const;

/**
 * Traffik's OpenTelemetry metrics. Create one per meter and hand its
 * `onDecision` to each throttle (`new Throttle({ ..., onDecision: metrics.onDecision })`);
 * register circuit breakers with `observeBreaker`. Instruments (prefix `traffik`):
 * - `traffik.decisions` (observable counter): hits by `traffik.throttle`
 *   (uid), `traffik.outcome` (allowed / denied / exempt / error) and
 *   `traffik.allowed` (true / false; for error outcomes, what `onError` decided);
 * - `traffik.backend.errors` (observable counter): hits the backend did not
 *   decide, by `traffik.throttle` and `error.type` (the error's name, e.g.
 *   `BackendConnectionError`, `BackendTimeoutError`, `CircuitOpenError`);
 * - `traffik.decision.duration` (histogram, ms): time of `hit`, by `traffik.throttle`;
 * - `traffik.circuit_breaker.state` (observable gauge): 0 closed, 1 half-open,
 *   2 open, by `traffik.breaker`.
 * Counts are kept in plain numbers on the hot path and read by the meter at
 * collection time, so a hit pays a few additions (and one histogram record).
 */
export class TraffikMetrics {
  /** Pass as a throttle's `onDecision`. Never throws. */
  readonly onDecision: DecisionListener;
  private readonly throttles = new Map<string, ThrottleCounts>();
  private readonly breakers: BreakerLike[] = [];

  constructor(options: TraffikMetricsOptions) {
    checkOptionNames('TraffikMetrics', options, ['meter', 'prefix', 'latency']);
    const meter = options?.meter;
    if (meter === null || typeof meter !== 'object' || typeof meter.createHistogram !== 'function'
      || typeof meter.createObservableCounter !== 'function' || typeof meter.createObservableGauge !== 'function') {
      throw new ConfigurationError(`TraffikMetrics: meter must be an OpenTelemetry Meter, got ${describeValue(meter)}`);
    }
    const prefix = options.prefix ?? 'traffik';
    if (typeof prefix !== 'string' || prefix === '') throw new ConfigurationError(`TraffikMetrics: prefix must be a non-empty string, got ${describeValue(prefix)}`);
    const latency = options.latency ?? true;
    if (typeof latency !== 'boolean') throw new ConfigurationError(`TraffikMetrics: latency must be a boolean, got ${describeValue(latency)}`);

    meter.createObservableCounter(`${prefix}.decisions`, { description: 'Rate-limit decisions by throttle and outcome', unit: '{decision}' })
      .addCallback((result) => {
        for (const [uid, entry] of this.throttles) {
          for (const key of OUTCOME_KEYS) {
            const count = entry.counts[key]!;
            if (count === 0) continue;
            const [outcome, allowed] = key.startsWith('error') ? ['error', key === 'error:true'] : [key, key !== 'denied'];
            result.observe(count, { 'traffik.throttle': uid, 'traffik.outcome': outcome, 'traffik.allowed': allowed });
          }
        }
      });
    meter.createObservableCounter(`${prefix}.backend.errors`, { description: 'Hits the backend did not decide, by error type', unit: '{error}' })
      .addCallback((result) => {
        for (const [uid, entry] of this.throttles) {
          for (const [type, count] of entry.errors) result.observe(count, { 'traffik.throttle': uid, 'error.type': type });
        }
      });
    meter.createObservableGauge(`${prefix}.circuit_breaker.state`, { description: 'Circuit state: 0 closed, 1 half-open, 2 open', unit: '1' })
      .addCallback((result) => {
        for (const breaker of this.breakers) result.observe(BREAKER_STATE_VALUE[breaker.state], { 'traffik.breaker': breaker.name });
      });
    const histogram = latency
      ? meter.createHistogram(`${prefix}.decision.duration`, { description: 'Time to decide one hit', unit: 'ms' })
      : undefined;

    this.onDecision = (event: DecisionEvent) => {
      let entry = this.throttles.get(event.uid);
      if (entry === undefined) {
        entry = { counts: { allowed: 0, denied: 0, exempt: 0, 'error:true': 0, 'error:false': 0 }, errors: new Map(), latencyAttributes: { 'traffik.throttle': event.uid } };
        this.throttles.set(event.uid, entry);
      }
      if (event.outcome === 'error') {
        entry.counts[event.decision?.allowed === true ? 'error:true' : 'error:false']!++;
        const type = errorType(event.error);
        entry.errors.set(type, (entry.errors.get(type) ?? 0) + 1);
      } else {
        entry.counts[event.outcome]!++;
      }
      histogram?.record(event.durationMs, entry.latencyAttributes);
    };
  }

  /** Reports `breaker`'s state in the `circuit_breaker.state` gauge (by its `name`). */
  observeBreaker(breaker: BreakerLike): void {
    if (breaker === null || typeof breaker !== 'object' || typeof breaker.name !== 'string') {
      throw new ConfigurationError(`TraffikMetrics.observeBreaker: expected a CircuitBreaker, got ${describeValue(breaker)}`);
    }
    if (!this.breakers.includes(breaker)) this.breakers.push(breaker);
  }
}

/** The `error.type` of an error: its `name` (e.g. `BackendTimeoutError`), else `"Error"`. */
function errorType(error: unknown): string {
  const name = (error as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : 'Error';
}
