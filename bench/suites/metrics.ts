/**
 * Metrics and error handling on the hot path: `throttle.hit` on the
 * in-process backend (fixed window, one key, every hit allowed) with no
 * metrics, with an `onDecision` listener, with `TraffikMetrics` on an
 * OpenTelemetry sdk-metrics MeterProvider (counters only, and with the
 * latency histogram), and with a `failover` handler whose breaker is
 * consulted on every hit. The first table is wall-clock (`measure`, best
 * of 5 interleaved rounds); the second counts this process's CPU time per
 * hit over many short interleaved chunks and keeps each case's fastest chunk:
 * other processes on a busy machine only ever add to a chunk's time, so the
 * minimum is the steadiest estimate, and its overhead column is the one to read.
 */
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { CircuitBreaker, failover } from '../../src/errors.js';
import { TraffikMetrics } from '../../src/core/metrics/index.js';
import { InMemoryBackend, Throttle, type ThrottleOptions } from '../../src/index.js';
import { measure, printGrid, printTable, type Measurement } from '../lib.js';

class PullReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const RATE = '100000000/hour';
const ROUNDS = 5;

/** CPU ns (user + system) per `throttle.hit`, over `count` serial hits. */
async function cpuNsPerHit(throttle: Throttle, count: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) await throttle.hit('user:42');
  const used = process.cpuUsage(before);
  return ((used.user + used.system) * 1000) / count;
}

export default async function run(): Promise<void> {
  const reader = new PullReader();
  const provider = new MeterProvider({ readers: [reader] });
  const withLatency = new TraffikMetrics({ meter: provider.getMeter('bench') });
  const countsOnly = new TraffikMetrics({ meter: provider.getMeter('bench-counts'), prefix: 'counts', latency: false });
  let seen = 0;
  const cases: [string, Partial<ThrottleOptions>][] = [
    ['no metrics', {}],
    ['onDecision (counting listener)', { onDecision: () => void seen++ }],
    ['TraffikMetrics, counters only', { onDecision: countsOnly.onDecision }],
    ['TraffikMetrics, counters + latency histogram (1 in 64 timed, the in-process default)', { onDecision: withLatency.onDecision }],
    ['TraffikMetrics, every hit timed', { onDecision: withLatency.onDecision, timingSampleEvery: 1 }],
    ['failover handler (breaker closed: hooks on every hit)', { onError: failover({ backend: new InMemoryBackend(), breaker: new CircuitBreaker() }) }],
  ];
  const throttles = cases.map(([, extra], i) => new Throttle({ uid: `bench${i}`, rate: RATE, backend: new InMemoryBackend(), ...extra }));
  const chunk = 20_000;
  const chunks = Math.max(10, Math.round(Number(process.env.BENCH_MS ?? 1500) / 50));
  const wall = new Map<string, Measurement>();
  const cpu = new Map<string, number>();
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < cases.length; i++) {
      const name = cases[i]![0];
      const throttle = throttles[i]!;
      const m = await measure(name, () => throttle.hit('user:42'), { durationMs: Number(process.env.BENCH_MS ?? 1500) / ROUNDS, warmupMs: 50 });
      if ((wall.get(name)?.opsPerSec ?? 0) < m.opsPerSec) wall.set(name, m);
    }
  }
  for (let c = 0; c < chunks; c++) {
    for (let i = 0; i < cases.length; i++) {
      const name = cases[i]![0];
      cpu.set(name, Math.min(cpu.get(name) ?? Infinity, await cpuNsPerHit(throttles[i]!, chunk)));
    }
  }
  await reader.collect();
  printTable(`Metrics on the hot path, wall clock: throttle.hit, in-process, one key (best of ${ROUNDS} interleaved rounds)`, cases.map(([name]) => wall.get(name)!), 'no metrics');
  const base = cpu.get('no metrics')!;
  printGrid(
    `Metrics on the hot path, CPU time per hit (fastest of ${chunks} interleaved chunks of ${chunk.toLocaleString('en')} hits per case)`,
    ['case', 'CPU ns / hit', 'overhead vs no metrics'],
    cases.map(([name]) => {
      const ns = cpu.get(name)!;
      return [name, ns.toFixed(0), name === 'no metrics' ? '-' : `${(((ns - base) / base) * 100).toFixed(1)}%`];
    }),
  );
  await provider.shutdown();
  if (seen === 0) throw new Error('the listener never ran');
}
