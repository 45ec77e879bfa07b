/**
 * The conformance kit fails, with a report a person can act on, on backends
 * that are wrong: a store whose compareAndSet ignores the version (lost
 * updates under concurrency), a store that forgets writes, and a backend
 * that ignores the kit's clock. The checks are run as functions, and their
 * reports are asserted on.
 */
import { describe, expect, it } from 'vitest';
import { ConfigurationError, InMemoryBackend, casBackend, FixedWindowStrategy, TokenBucketStrategy, type CasStore } from '../../src/index.js';
import { conformanceChecks, describeBackendConformance, type ConformanceResult, type ManualClock } from '../../src/testing/index.js';
import { MapStore } from './map-store.js';

async function runAll(checks: ReturnType<typeof conformanceChecks>, only: RegExp): Promise<(ConformanceResult & { name: string })[]> {
  const picked = checks.filter((c) => only.test(c.name));
  expect(picked.length).toBeGreaterThan(0);
  const results = [];
  for (const check of picked) results.push({ name: check.name, ...(await check.run()) });
  return results;
}

describe('the conformance kit on broken backends', () => {
  it('a compareAndSet that does not check the version: the concurrency check reports lost updates', async () => {
    const stores = new WeakMap<ManualClock, MapStore>();
    const checks = conformanceChecks(({ clock, namespace }) => {
      let store = stores.get(clock);
      if (store === undefined) stores.set(clock, (store = new MapStore({ checkVersion: false })));
      return casBackend(store, { namespace, clock });
    }, { strategies: [new FixedWindowStrategy(), new TokenBucketStrategy()] });
    const results = await runAll(checks, /concurrent/);
    for (const result of results) {
      expect(result.passed).toBe(false);
      // Which operation, what was expected, what came back: more hits admitted than the limit.
      expect(result.report).toMatch(/differs from the in-process decisions/);
      expect(result.report).toMatch(/24 concurrent hits of cost 1 from 4 backends on "round-\d"/);
      const expected = /expected: (\d+) allowed/.exec(result.report)!;
      const got = /got: +(\d+) allowed/.exec(result.report)!;
      expect(Number(expected[1])).toBe(12);
      expect(Number(got[1])).toBeGreaterThan(12);
    }
    // The single-backend checks pass: the kit blames only what is wrong.
    const traces = await runAll(checks, /replays a trace/);
    expect(traces.every((r) => r.passed)).toBe(true);
  });

  it('a store that forgets writes: the trace check names the first step that differs, expected and got', async () => {
    const forgetful: CasStore = {
      get: () => undefined,
      compareAndSet: () => true,
      add: () => true,
      delete: () => undefined,
    };
    const checks = conformanceChecks(({ clock, namespace }) => casBackend(forgetful, { namespace, clock }), { strategies: [new FixedWindowStrategy()], rates: [['5/second']] });
    const [result] = await runAll(checks, /replays a trace/);
    expect(result!.passed).toBe(false);
    expect(result!.differences).toHaveLength(1);
    const [difference] = result!.differences;
    expect(difference!.operation).toMatch(/^(hit|batch)/);
    expect(difference!.expected).toMatch(/\[5\/second\] allowed=false/);
    expect(difference!.got).toMatch(/\[5\/second\] allowed=true/);
    expect(result!.report).toContain(`step ${difference!.step} at +`);
    expect(result!.report).toContain('steps before the first difference:');
  });

  it('a backend on its own clock: the clock check says so', async () => {
    const [result] = await runAll(conformanceChecks(() => new InMemoryBackend()), /clock/);
    expect(result!.passed).toBe(false);
    expect(result!.report).toMatch(/does the backend use the clock given to makeBackend\?/);
  });

  it('a backend that throws: reported as the answer, not a crash of the kit', async () => {
    const failing: CasStore = {
      get: () => Promise.reject(new Error('connection refused')),
      compareAndSet: () => false,
      add: () => false,
      delete: () => undefined,
    };
    const [result] = await runAll(conformanceChecks(({ clock }) => casBackend(failing, { clock }), { rates: [['5/second']] }), /replays a trace: fixed-window/);
    expect(result!.passed).toBe(false);
    expect(result!.differences[0]!.got).toMatch(/threw BackendError: CasStore get .* failed: connection refused/);
  });
});

describe('the conformance kit refuses bad options at once', () => {
  const make = () => new InMemoryBackend();
  const cases: [string, unknown, RegExp][] = [
    ['an unknown option', { step: 10 }, /unknown option "step"/],
    ['steps 0', { steps: 0 }, /steps.*0/],
    ['an empty strategy list', { strategies: [] }, /strategies/],
    ['a rate that does not parse', { rates: [['five/second']] }, /five\/second/],
    ['instances 1.5', { instances: 1.5 }, /instances.*1\.5/],
  ];
  for (const [name, options, message] of cases) {
    it(`${name}: ConfigurationError naming it`, () => {
      expect(() => conformanceChecks(make, options as never)).toThrow(ConfigurationError);
      expect(() => conformanceChecks(make, options as never)).toThrow(message);
    });
  }
  it('no describe/it given or global: ConfigurationError saying what to pass', () => {
    expect(() => describeBackendConformance('x', make)).toThrow(/pass \{ describe, it \}/);
  });
});
