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
  allowed: number;
  denied: number;
  /** Denials of a shadow-mode throttle: let through (`traffik.allowed` true). */
  shadowDenied: number;
  exempt: number;
  errorAllowed: number;
  errorDenied: number;
  readonly errors: Map<string, number>;
  readonly latencyAttributes: MetricAttributesLike;
}

/** Each counted field with the attributes it is reported under. */
const OUTCOMES = [
  ['allowed', 'allowed', true], ['denied', 'denied', false], ['shadowDenied', 'denied', true], ['exempt', 'exempt', true],
  ['errorAllowed', 'error', true], ['errorDenied', 'error', false],
] as const;

/**
 * Traffik's OpenTelemetry metrics. Create one per meter and hand its
 * `onDecision` to each throttle (`new Throttle({ ..., onDecision: metrics.onDecision })`);
 * register circuit breakers with `observeBreaker`. Instruments (prefix `traffik`):
 * - `traffik.decisions` (observable counter): hits by `traffik.throttle`
 *   (uid), `traffik.outcome` (allowed / denied / exempt / error) and
 *   `traffik.allowed` (true / false; for error outcomes, what `onError` decided;
 *   a shadow-mode denial is `denied` with `traffik.allowed` true: let through);
 * - `traffik.backend.errors` (observable counter): hits the backend did not
 *   decide, by `traffik.throttle` and `error.type` (the error's name, e.g.
 *   `BackendConnectionError`, `BackendTimeoutError`, `CircuitOpenError`);
 * - `traffik.decision.duration` (histogram, ms): time of `hit`, by
 *   `traffik.throttle`, on the hits the throttle times (`timingSampleEvery`);
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
          for (const [field, outcome, allowed] of OUTCOMES) {
            if (entry[field] > 0) result.observe(entry[field], { 'traffik.throttle': uid, 'traffik.outcome': outcome, 'traffik.allowed': allowed });
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

    // The hot path: a few additions on plain fields; the last throttle's entry is cached (most events repeat it).
    let lastUid: string | undefined;
    let last: ThrottleCounts | undefined;
    this.onDecision = (event: DecisionEvent) => {
      let entry = event.uid === lastUid ? last! : this.throttles.get(event.uid);
      if (entry === undefined) {
        entry = { allowed: 0, denied: 0, shadowDenied: 0, exempt: 0, errorAllowed: 0, errorDenied: 0, errors: new Map(), latencyAttributes: { 'traffik.throttle': event.uid } };
        this.throttles.set(event.uid, entry);
      }
      lastUid = event.uid;
      last = entry;
      switch (event.outcome) {
        case 'allowed': entry.allowed++; break;
        case 'denied':
          if (event.decision?.shadowDenied === true) entry.shadowDenied++;
          else entry.denied++;
          break;
        case 'exempt': entry.exempt++; break;
        default: {
          if (event.decision?.allowed === true) entry.errorAllowed++;
          else entry.errorDenied++;
          const type = errorType(event.error);
          entry.errors.set(type, (entry.errors.get(type) ?? 0) + 1);
        }
      }
      if (event.durationMs !== undefined) histogram?.record(event.durationMs, entry.latencyAttributes);
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
