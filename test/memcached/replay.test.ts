/**
 * The same random traces through the in-process backend and Memcached, with
 * the same injected clock: every decision must be identical, for every
 * built-in strategy (the window and bucket strategies, and the others with per-hit args and
 * forced stores), one and several rates, dry runs and batches, and hits
 * mixed with charges and refunds.
 */
import { describe, expect, inject, it } from 'vitest';
import { InMemoryBackend, Rate, type AnyStrategy, type Backend, type StepDecision } from '../../src/index.js';
import { strategiesWithArgs } from '../core/strategies/strategies.js';
import { drawTrace } from '../../src/testing/trace.js';
import { generateTrace, manualClock, seededRandom, type TraceEvent } from '../support/traces.js';
import { builtInStrategies, closedAfterAll, requestFor } from './support.js';

const servers = inject('memcachedServers');
const memcachedBackend = closedAfterAll();

const RATE_SETS: readonly (readonly string[])[] = [['5/second'], ['4/second', '9/5s']];

async function send(backend: Backend, step: TraceEvent, strategy: AnyStrategy, rates: readonly Rate[]): Promise<StepDecision[][]> {
  if (step.kind === 'batch') {
    const base = requestFor('replay', step.key, strategy, rates, 0);
    return backend.applyBatch({ strategy, scope: base.scope, keys: base.keys, rates, costs: step.costs });
  }
  return [await backend.apply(requestFor('replay', step.key, strategy, rates, step.cost, { dryRun: step.kind === 'peek' }))];
}

/** Replays one trace through both backends; returns the number of allowed hits (to show the trace is not trivial). */
async function compare(strategy: AnyStrategy, rateTexts: readonly string[], seed: number, steps: number): Promise<number> {
  const rates = rateTexts.map((r) => Rate.parse(r));
  const maxLimit = Math.max(...rates.map((r) => r.limit));
  const clock = manualClock(1_700_000_000_000 + seed);
  const reference = new InMemoryBackend({ clock: clock.now });
  const memcached = memcachedBackend({ servers, namespace: `replay-${seed}-${process.pid}`, clock: clock.now });
  const trace = generateTrace({ seed, length: steps, maxCost: maxLimit + 1, maxAdvanceMs: Math.max(...rates.map((r) => r.periodMs)), keys: 3 });
  let allowed = 0;
  for (const [index, step] of trace.entries()) {
    clock.advance(step.advanceMs);
    const expected = await send(reference, step, strategy, rates);
    const actual = await send(memcached, step, strategy, rates);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      expect({ index, step, actual }).toEqual({ index, step, actual: expected });
    }
    for (const hit of expected) if (hit.every((d) => d.allowed)) allowed++;
  }
  return allowed;
}

describe('Memcached replays the in-process decisions exactly', () => {
  for (const strategy of builtInStrategies()) {
    for (const rates of RATE_SETS) {
      it(`${strategy.name}, ${rates.join(' + ')}`, async () => {
        const allowed = await compare(strategy, rates, 1000 + rates.length * 17 + strategy.name.length, 1200);
        expect(allowed).toBeGreaterThan(100);
        expect(allowed).toBeLessThan(1200);
      });
    }
  }

  for (const { label, strategy, rate, args } of strategiesWithArgs()) {
    it(`${label} (per-hit args, forced stores)`, async () => {
      const base = Rate.parse(rate);
      // The case's rate, then the same with a second, longer rate beside it.
      for (const rates of [[base], [base, new Rate({ limit: base.limit * 3, milliseconds: base.periodMs * 4 })]]) {
        const seed = label.length * 31 + rates.length;
        const clock = manualClock(1_700_000_000_000 + seed * 7919);
        const reference = new InMemoryBackend({ clock: clock.now });
        const memcached = memcachedBackend({ servers, namespace: `replay-new-${seed}-${process.pid}`, clock: clock.now });
        const random = seededRandom(seed);
        const trace = generateTrace({ seed, length: 500, maxCost: base.limit + 1, maxAdvanceMs: base.periodMs, keys: 2 });
        for (const [index, step] of trace.entries()) {
          clock.advance(step.advanceMs);
          const hitArgs = args(Math.floor(random() * 1000));
          const request = requestFor(`new-${label}`, step.key, strategy, rates, step.cost, { args: hitArgs, dryRun: step.kind === 'peek' });
          const [expected, actual] = step.kind === 'batch'
            ? [await reference.applyBatch({ ...request, costs: step.costs }), await memcached.applyBatch({ ...request, costs: step.costs })]
            : [await reference.apply(request), await memcached.apply(request)];
          if (JSON.stringify(actual) !== JSON.stringify(expected)) expect({ index, step, hitArgs, actual }).toEqual({ index, step, hitArgs, actual: expected });
        }
      }
    });
  }
});

describe('Memcached replays hits mixed with charges and refunds exactly', () => {
  for (const strategy of builtInStrategies().filter((s) => s.supportsChargeAndRefund === true)) {
    for (const rateTexts of RATE_SETS) {
      it(`${strategy.name}, ${rateTexts.join(' + ')}`, async () => {
        const rates = rateTexts.map((r) => Rate.parse(r));
        const seed = 500 + strategy.name.length * 13 + rates.length;
        const clock = manualClock(1_700_000_000_000 + seed);
        const reference = new InMemoryBackend({ clock: clock.now });
        const memcached = memcachedBackend({ servers, namespace: `replay-ops-${seed}-${process.pid}`, clock: clock.now });
        const trace = drawTrace({
          seed, length: 800, identities: 3, chargeAndRefund: true,
          maxCost: Math.max(...rates.map((r) => r.limit)) + 1, maxAdvanceMs: Math.max(...rates.map((r) => r.periodMs)),
        });
        const ops = { charge: 0, refund: 0 };
        for (const [index, step] of trace.entries()) {
          clock.advance(step.advanceMs);
          const op = step.kind === 'charge' || step.kind === 'refund' ? step.kind : undefined;
          if (op !== undefined) ops[op]++;
          const request = { ...requestFor('ops', step.identity, strategy, rates, step.cost, { dryRun: step.kind === 'peek' }), ...(op === undefined ? {} : { op }) };
          const [expected, actual] = step.kind === 'batch'
            ? [await reference.applyBatch({ ...request, costs: step.costs }), await memcached.applyBatch({ ...request, costs: step.costs })]
            : [await reference.apply(request), await memcached.apply(request)];
          if (JSON.stringify(actual) !== JSON.stringify(expected)) expect({ index, step, actual }).toEqual({ index, step, actual: expected });
        }
        expect(ops.charge).toBeGreaterThan(30);
        expect(ops.refund).toBeGreaterThan(30);
      });
    }
  }
});
