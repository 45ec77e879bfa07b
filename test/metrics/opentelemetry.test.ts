import { MeterProvider, MetricReader, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { metrics as otelApi } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, failover } from '../../src/errors.js';
import { TraffikMetrics } from '../../src/core/metrics/index.js';
import { EXEMPTED, InMemoryBackend, Throttle } from '../../src/index.js';
import { SwitchableBackend } from '../resilience/switchable-backend.js';

/** A pull reader: the test collects when it wants to look. */
class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

async function collect(reader: TestReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics } = await reader.collect();
  const found = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics) for (const metric of scope.metrics) found.set(metric.descriptor.name, metric);
  return found;
}

function points(metric: MetricData | undefined): { attributes: Record<string, unknown>; value: unknown }[] {
  return (metric?.dataPoints as DataPoint<unknown>[] | undefined ?? []).map((p) => ({ attributes: { ...p.attributes }, value: p.value }));
}

function setup() {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  const metrics = new TraffikMetrics({ meter: provider.getMeter('traffik-test') });
  return { reader, provider, metrics };
}

describe('TraffikMetrics (OpenTelemetry)', () => {
  it('counts decisions by throttle and outcome, records latency, and counts backend errors by type, after a known sequence', async () => {
    const { reader, metrics } = setup();
    const clock = { now: 0 };
    const primary = new SwitchableBackend({ clock: () => clock.now });
    const search = new Throttle({ uid: 'search', rate: '3/minute', backend: primary, onError: 'allow', onDecision: metrics.onDecision, timingSampleEvery: 1 });
    const login = new Throttle({ uid: 'login', rate: '1/minute', backend: new InMemoryBackend({ clock: () => clock.now }), onDecision: metrics.onDecision, timingSampleEvery: 2 });

    for (let i = 0; i < 5; i++) await search.hit('u'); // 3 allowed, 2 denied
    await search.hit(EXEMPTED); // 1 exempt
    await search.peek('u'); // not a decision
    primary.mode = 'down';
    await search.hit('u'); // error, allowed by onError 'allow'
    await search.hit('u'); // error
    await login.hit('x'); // allowed
    await login.hit('x'); // denied
    await login.hitMany('y', [1, 1]); // allowed, denied

    const found = await collect(reader);
    const decisions = points(found.get('traffik.decisions'));
    const count = (uid: string, outcome: string, allowed: boolean) =>
      decisions.find((p) => p.attributes['traffik.throttle'] === uid && p.attributes['traffik.outcome'] === outcome && p.attributes['traffik.allowed'] === allowed)?.value;
    expect(count('search', 'allowed', true)).toBe(3);
    expect(count('search', 'denied', false)).toBe(2);
    expect(count('search', 'exempt', true)).toBe(1);
    expect(count('search', 'error', true)).toBe(2);
    expect(count('login', 'allowed', true)).toBe(2);
    expect(count('login', 'denied', false)).toBe(2);
    expect(decisions).toHaveLength(6);

    expect(points(found.get('traffik.backend.errors'))).toEqual([
      { attributes: { 'traffik.throttle': 'search', 'error.type': 'BackendConnectionError' }, value: 2 },
    ]);

    const durations = points(found.get('traffik.decision.duration'));
    const searchLatency = durations.find((p) => p.attributes['traffik.throttle'] === 'search')!.value as Histogram;
    const loginLatency = durations.find((p) => p.attributes['traffik.throttle'] === 'login')!.value as Histogram;
    expect(searchLatency.count).toBe(8);
    expect(loginLatency.count).toBe(1); // every 2nd call timed: hit, hit (timed), hitMany (one call)
    expect(searchLatency.min).toBeGreaterThanOrEqual(0);
    expect(found.get('traffik.decision.duration')!.descriptor.unit).toBe('ms');

    await search.hit(EXEMPTED); // the counters are cumulative: the next collection sees 2
    const again = points((await collect(reader)).get('traffik.decisions'));
    expect(again.find((p) => p.attributes['traffik.outcome'] === 'exempt')!.value).toBe(2);
  });

  it('counts shadow-mode denials as denied but let through (traffik.allowed true), apart from enforced denials', async () => {
    const { reader, metrics } = setup();
    const backend = new InMemoryBackend({ clock: () => 0 });
    const shadow = new Throttle({ uid: 'candidate', rate: '2/minute', backend, mode: 'shadow', onDecision: metrics.onDecision });
    const enforced = new Throttle({ uid: 'current', rate: '2/minute', backend, onDecision: metrics.onDecision });
    for (let i = 0; i < 5; i++) {
      await shadow.hit('u');
      await enforced.hit('u');
    }
    const decisions = points((await collect(reader)).get('traffik.decisions'));
    const rows = decisions.map((p) => [p.attributes['traffik.throttle'], p.attributes['traffik.outcome'], p.attributes['traffik.allowed'], p.value]);
    expect(rows).toEqual(expect.arrayContaining([
      ['candidate', 'allowed', true, 2], ['candidate', 'denied', true, 3],
      ['current', 'allowed', true, 2], ['current', 'denied', false, 3],
    ]));
    expect(rows).toHaveLength(4);
  });

  it('reports circuit breaker state: 0 closed, 2 open, 1 half-open; and failover decisions while open as errors (CircuitOpenError)', async () => {
    const { reader, metrics } = setup();
    const clock = { now: 0 };
    const primary = new SwitchableBackend({ clock: () => clock.now });
    const breaker = new CircuitBreaker({ name: 'redis', failureThreshold: 2, recoveryTimeoutMs: 1000, successThreshold: 1, clock: () => clock.now });
    metrics.observeBreaker(breaker);
    const throttle = new Throttle({
      uid: 'api', rate: '100/minute', backend: primary,
      onError: failover({ backend: new InMemoryBackend({ clock: () => clock.now }), breaker, maxRetries: 0 }),
      onDecision: metrics.onDecision,
    });
    const gauge = async () => points((await collect(reader)).get('traffik.circuit_breaker.state'));
    expect(await gauge()).toEqual([{ attributes: { 'traffik.breaker': 'redis' }, value: 0 }]);
    primary.mode = 'down';
    for (let i = 0; i < 5; i++) await throttle.hit('k'); // 2 failures open it, 3 routed around it
    expect((await gauge())[0]!.value).toBe(2);
    clock.now += 1000;
    expect((await gauge())[0]!.value).toBe(1);
    primary.mode = 'up';
    await throttle.hit('k');
    expect((await gauge())[0]!.value).toBe(0);

    const errors = points((await collect(reader)).get('traffik.backend.errors'));
    expect(errors.find((p) => p.attributes['error.type'] === 'BackendConnectionError')!.value).toBe(2);
    expect(errors.find((p) => p.attributes['error.type'] === 'CircuitOpenError')!.value).toBe(3);
  });

  it('accepts the global @opentelemetry/api meter as it is, and rejects what is not a meter', () => {
    expect(() => new TraffikMetrics({ meter: otelApi.getMeter('noop') })).not.toThrow();
    expect(() => new TraffikMetrics({ meter: {} as never })).toThrow(/meter must be an OpenTelemetry Meter/);
    expect(() => new TraffikMetrics({ meter: otelApi.getMeter('x'), latency: 'yes' as never })).toThrow(/latency must be a boolean, got "yes"/);
  });
});

describe('onDecision', () => {
  it('is called once per decided hit with the outcome, decision and (sampled) duration; a throwing listener never fails the hit', async () => {
    const events: string[] = [];
    const backend = new InMemoryBackend();
    const throttle = new Throttle({
      uid: 'e', rate: '1/minute', backend,
      onDecision: (e) => {
        events.push(`${e.key}:${e.outcome}:${e.decision?.remaining}`);
        if (e.durationMs !== undefined) expect(e.durationMs).toBeGreaterThanOrEqual(0);
      },
    });
    await throttle.hit('a');
    await throttle.hit('a');
    await throttle.peek('a');
    await throttle.hit(EXEMPTED);
    await expect(throttle.hit('a', { cost: -1 })).rejects.toThrow();
    expect(events).toEqual(['a:allowed:0', 'a:denied:0', 'EXEMPTED:exempt:Infinity']); // a bad cost is a caller bug, not a decision

    const noisy = new Throttle({ uid: 'n', rate: '1/minute', backend, onDecision: () => { throw new Error('metrics bug'); } });
    expect((await noisy.hit('a')).allowed).toBe(true);
    expect(() => new Throttle({ uid: 'x', rate: '1/minute', onDecision: 'log' as never })).toThrow(/onDecision must be a function, got "log"/);
    expect(() => new Throttle({ uid: 'x', rate: '1/minute', timingSampleEvery: 0 })).toThrow(/timingSampleEvery .* got 0/);
  });

  it('times 1 hit in timingSampleEvery: by default 1 in 64 in-process, every hit on a remote backend', async () => {
    const timedOf = async (throttle: Throttle, durations: (number | undefined)[]) => {
      for (let i = 0; i < 128; i++) await throttle.hit('a');
      return durations.filter((d) => d !== undefined).length;
    };
    const local: (number | undefined)[] = [];
    expect(await timedOf(new Throttle({ uid: 't', rate: '1000/minute', backend: new InMemoryBackend(), onDecision: (e) => void local.push(e.durationMs) }), local)).toBe(2);
    expect(local[63]).toBeGreaterThanOrEqual(0);
    const remote: (number | undefined)[] = [];
    const switchable = new SwitchableBackend(); // any backend that is not the in-process one
    expect(await timedOf(new Throttle({ uid: 't', rate: '1000/minute', backend: switchable, onDecision: (e) => void remote.push(e.durationMs) }), remote)).toBe(128);
    const every4: (number | undefined)[] = [];
    expect(await timedOf(new Throttle({ uid: 't', rate: '1000/minute', backend: new InMemoryBackend(), timingSampleEvery: 4, onDecision: (e) => void every4.push(e.durationMs) }), every4)).toBe(32);
  });
});
