/**
 * The conformance kit's checks as plain functions: each builds the user's
 * backend(s) on a kit clock, runs its operations against them and against
 * the in-process rule (`ReferenceModel`), and returns what differed, in
 * words. `describeBackendConformance` wraps them as tests; call them
 * directly to assert on a report.
 */
import type { ApplyRequest, Backend } from '../core/backends/backend.js';
import type { StepDecision } from '../core/decision.js';
import { ConfigurationError, describeValue } from '../core/errors.js';
import { scopeKey, stateSuffix } from '../core/keys.js';
import { checkOptionNames, checkWholeNumber } from '../core/options.js';
import { Rate } from '../core/rate.js';
import * as builtIn from '../core/strategies/index.js';
import type { AnyStrategy, StepOp } from '../core/strategies/strategy.js';
import { ManualClock } from './manual-clock.js';
import { ReferenceModel } from './reference.js';
import { formatDecision, formatDecisions, formatError, formatReport, type ConformanceDifference } from './report.js';
import { describeStep, drawTrace, seededRandom, type TraceStep } from './trace.js';

/** What the kit hands `makeBackend`: the clock the backend must use, and a namespace of its own. */
export interface ConformanceSetup {
  /** Pass it as the backend's `clock`: the kit moves it, and compares at the same times. */
  readonly clock: ManualClock;
  /** A namespace no earlier run used (backends on a persistent store may use it). */
  readonly namespace: string;
}

/**
 * Makes a backend for a check. Called once per check, and several times for
 * the concurrency check within one `setup`: every backend made with the same
 * `setup` must share one store (as separate processes would), or be the
 * same object. The kit closes every backend it got.
 */
export type MakeBackend = (setup: ConformanceSetup) => Backend | Promise<Backend>;

/** What the checks run. Every field has a default. */
export interface ConformanceCheckOptions {
  /** Strategies to replay (default: the window and bucket strategies, each with options of its own). */
  readonly strategies?: readonly AnyStrategy[];
  /** Rate sets, each replayed with every strategy (default `[['5/second'], ['4/second', '9/5s']]`). */
  readonly rates?: readonly (readonly string[])[];
  /** Operations per trace (default 300). */
  readonly steps?: number;
  /** Seed of the traces (default 1): the same seed replays the same operations. */
  readonly seed?: number;
  /** Backends the concurrency check makes on one store (default 4). */
  readonly instances?: number;
  /** Concurrent hits per round of the concurrency check (default 24). */
  readonly concurrentHits?: number;
}

/** The outcome of one check. */
export interface ConformanceResult {
  readonly passed: boolean;
  /** Operations sent to the backend. */
  readonly operations: number;
  readonly differences: readonly ConformanceDifference[];
  /** Everything in words: which step, expected and got, and the steps before it. */
  readonly report: string;
}

/** One named check; `run` never rejects (a backend's error is reported as a difference). */
export interface ConformanceCheck {
  readonly name: string;
  run(): Promise<ConformanceResult>;
}

/** The default strategies: the window and bucket strategies, with options that make each differ from its defaults. */
export function defaultStrategies(): AnyStrategy[] {
  return [
    new builtIn.FixedWindowStrategy(), new builtIn.SlidingWindowCounterStrategy(), new builtIn.SlidingWindowLogStrategy(),
    new builtIn.TokenBucketStrategy({ burstSize: 7 }), new builtIn.TokenBucketWithDebtStrategy({ burstSize: 5, maxDebt: 3 }),
    new builtIn.LeakyBucketStrategy(), new builtIn.LeakyBucketWithQueueStrategy({ queueSize: 6 }), new builtIn.GCRAStrategy({ burstToleranceMs: 250 }),
  ];
}

const DEFAULT_RATES: readonly (readonly string[])[] = [['5/second'], ['4/second', '9/5s']];
const CONTEXT_STEPS = 6;

/** A backend the kit built, with the clock it must follow. */
interface Subject {
  readonly clock: ManualClock;
  readonly setup: ConformanceSetup;
  readonly backends: Backend[];
  readonly startMs: number;
}

/**
 * The checks for `makeBackend`: the clock check, one trace per strategy and
 * rate set, concurrency per strategy, reset. Throws `ConfigurationError`
 * naming a wrong option; the checks themselves run only when `run` is called.
 */
export function conformanceChecks(makeBackend: MakeBackend, options: ConformanceCheckOptions = {}): ConformanceCheck[] {
  if (typeof makeBackend !== 'function') {
    throw new ConfigurationError(`conformanceChecks: makeBackend must be a function returning a Backend, got ${describeValue(makeBackend)}`);
  }
  checkOptionNames('conformanceChecks', options, CHECK_OPTION_NAMES);
  const run = Math.floor(Math.random() * 1e9).toString(36);
  let counter = 0;
  const subject = (): Subject => {
    const clock = new ManualClock();
    const setup = { clock, namespace: `kit-${run}-${counter++}` };
    return { clock, setup, backends: [], startMs: clock() };
  };
  const named = (name: string, body: (s: Subject) => Promise<Omit<ConformanceResult, 'report' | 'passed'> & { context?: string[] }>): ConformanceCheck => ({
    name,
    run: async () => {
      const s = subject();
      try {
        const { operations, differences, context = [] } = await body(s);
        return { passed: differences.length === 0, operations, differences, report: formatReport(name, operations, differences, context) };
      } catch (error) {
        const differences = [{ step: -1, atMs: s.clock() - s.startMs, operation: 'the check could not run', expected: 'a working backend', got: formatError(error) }];
        return { passed: false, operations: 0, differences, report: formatReport(name, 0, differences, []) };
      } finally {
        await Promise.all(s.backends.map((b) => b.close().catch(() => undefined)));
      }
    },
  });
  const make = async (s: Subject): Promise<Backend> => {
    const backend = await makeBackend(s.setup);
    s.backends.push(backend);
    return backend;
  };

  const { rateSets, steps, seed, instances, concurrentHits, strategies } = checkOptions(options);
  const checks: ConformanceCheck[] = [named('follows the kit clock', async (sub) => clockCheck(await make(sub), sub, `${run}-clock`))];
  strategies.forEach((strategy, index) => {
    const label = strategy.name + (strategy.supportsChargeAndRefund === true ? ' (with charges and refunds)' : '');
    rateSets.forEach((rates, r) => {
      checks.push(named(`replays a trace: ${label}, ${rates.join(' + ')}`, async (sub) =>
        traceCheck(await make(sub), sub, strategy, rates, { seed: seed * 7919 + index * 131 + r, steps, uid: `${run}-t${index}-${r}` })));
    });
    checks.push(named(`concurrent hits from several backends: ${strategy.name}`, async (sub) =>
      concurrencyCheck(sub, make, strategy, instances, concurrentHits, `${run}-c${index}`, seed + index)));
  });
  checks.push(named('reset forgets an identity', async (sub) => resetCheck(await make(sub), sub, `${run}-reset`)));
  return checks;
}

/** The option names `conformanceChecks` accepts (`describeBackendConformance` adds its own). */
export const CHECK_OPTION_NAMES = ['strategies', 'rates', 'steps', 'seed', 'instances', 'concurrentHits'] as const;

/** `options` checked (`ConfigurationError` naming a wrong value), with defaults. */
function checkOptions(options: ConformanceCheckOptions) {
  const owner = 'conformanceChecks';
  const { strategies = defaultStrategies(), rates = DEFAULT_RATES, steps = 300, seed = 1, instances = 4, concurrentHits = 24 } = options;
  if (!Array.isArray(strategies) || strategies.length === 0 || !strategies.every((st) => typeof (st as AnyStrategy)?.step === 'function')) {
    throw new ConfigurationError(`${owner}: strategies must be a non-empty list of strategies, got ${describeValue(strategies)}`);
  }
  if (!Array.isArray(rates) || rates.length === 0 || !rates.every((set) => Array.isArray(set) && set.length > 0)) {
    throw new ConfigurationError(`${owner}: rates must be a non-empty list of non-empty lists of rates, got ${describeValue(rates)}`);
  }
  for (const set of rates) for (const rate of set) Rate.parse(rate);
  return {
    strategies: strategies as readonly AnyStrategy[],
    rateSets: rates,
    steps: checkWholeNumber(owner, 'steps', steps, 1, 1_000_000),
    seed: checkWholeNumber(owner, 'seed', seed, 0),
    instances: checkWholeNumber(owner, 'instances', instances, 1, 64),
    concurrentHits: checkWholeNumber(owner, 'concurrentHits', concurrentHits, 2, 10_000),
  };
}

/** A request for `identity` as a throttle with `uid` builds it. */
function requestFor(uid: string, identity: string, strategy: AnyStrategy, rates: readonly Rate[], cost: number, op?: StepOp, dryRun?: boolean): ApplyRequest {
  const scope = scopeKey(uid, identity);
  const keys = rates.map((rate) => scope + stateSuffix(strategy.name, rate));
  return { strategy, scope, keys, rates, cost, ...(op === undefined ? {} : { op }), ...(dryRun === true ? { dryRun } : {}) };
}

/** Hits a fixed window to its limit, moves the kit clock one period: a backend on its own clock stays denied. */
async function clockCheck(backend: Backend, s: Subject, uid: string): Promise<{ operations: number; differences: ConformanceDifference[] }> {
  const strategy = new builtIn.FixedWindowStrategy();
  const rates = [Rate.parse('2/hour')];
  const reference = new ReferenceModel();
  s.clock.set(Math.ceil(s.clock() / 3_600_000) * 3_600_000 + 1000);
  const differences: ConformanceDifference[] = [];
  const operations: [string, number][] = [['hit', 0], ['hit', 0], ['hit', 0], ['hit after the kit clock moved one hour', 3_600_000]];
  for (const [index, [label, advance]] of operations.entries()) {
    s.clock.advance(advance);
    const request = requestFor(uid, 'clock', strategy, rates, 1);
    const expected = reference.apply(request, s.clock());
    const got = await backend.apply(request).then((d) => formatDecisions(d, ['2/hour']), formatError);
    const want = formatDecisions(expected, ['2/hour']);
    if (got !== want) {
      differences.push({ step: index, atMs: s.clock() - s.startMs, operation: `${label} cost 1 (fixed window 2/hour): does the backend use the clock given to makeBackend?`, expected: want, got });
      break;
    }
  }
  return { operations: operations.length, differences };
}

/** Replays one random trace; stops at the first difference (later steps would differ only because of it). */
async function traceCheck(
  backend: Backend, s: Subject, strategy: AnyStrategy, rateTexts: readonly string[],
  trace: { seed: number; steps: number; uid: string },
): Promise<{ operations: number; differences: ConformanceDifference[]; context: string[] }> {
  const rates = rateTexts.map((r) => Rate.parse(r));
  const labels = [...rateTexts];
  const reference = new ReferenceModel();
  const shape = {
    seed: trace.seed, length: trace.steps, identities: 3,
    maxCost: Math.max(...rates.map((r) => r.limit)) + 1,
    maxAdvanceMs: Math.max(...rates.map((r) => r.periodMs)),
    chargeAndRefund: strategy.supportsChargeAndRefund === true,
  };
  const context: string[] = [];
  let operations = 0;
  for (const [index, step] of drawTrace(shape).entries()) {
    s.clock.advance(step.advanceMs);
    const now = s.clock();
    operations++;
    const { expected, got } = await runStep(backend, reference, step, strategy, rates, trace.uid, now);
    const want = expected.map((d) => formatDecisions(d, labels)).join('\n              ');
    const answer = typeof got === 'string' ? got : got.map((d) => formatDecisions(d, labels)).join('\n              ');
    if (answer !== want) {
      return { operations, differences: [{ step: index, atMs: now - s.startMs, operation: describeStep(step), expected: want, got: answer }], context: context.slice(-CONTEXT_STEPS) };
    }
    context.push(`step ${index} at +${now - s.startMs} ms: ${describeStep(step)} -> ${want.split('\n')[0]!.replace(/\s+/g, ' ')}`);
  }
  const stored = await storedStates(backend, reference, strategy, rates, trace.uid, shape.identities, s.clock());
  return { operations: operations + (stored.read ? shape.identities : 0), differences: stored.differences.map((d) => ({ ...d, atMs: s.clock() - s.startMs })), context: [] };
}

/**
 * After a trace: `backend.read` (when it has one, for `Throttle.stats`) must
 * report the states the in-process rule holds. Where that rule holds none
 * (never written, or expired), a state that decides as a fresh key's is
 * accepted too (a store may keep an expired state a little longer), and
 * where it holds a state that decides as a fresh key's, no state is
 * accepted (a store may expire it by its own clock).
 */
async function storedStates(
  backend: Backend, reference: ReferenceModel, strategy: AnyStrategy, rates: readonly Rate[], uid: string, identities: number, now: number,
): Promise<{ read: boolean; differences: ConformanceDifference[] }> {
  if (typeof backend.read !== 'function') return { read: false, differences: [] };
  const differences: ConformanceDifference[] = [];
  const text = (state: unknown): string => (state === undefined ? 'no state' : strategy.serialize(state));
  const asFresh = (state: unknown, rate: Rate): boolean =>
    formatDecision(strategy.step(state, now, 0, rate).decision) === formatDecision(strategy.step(undefined, now, 0, rate).decision);
  for (let i = 0; i < identities; i++) {
    const { scope, keys } = requestFor(uid, `id-${i}`, strategy, rates, 0);
    const expected = reference.read(keys, now);
    const answer = await backend.read({ strategy, scope, keys }).then((r) => r.states, formatError);
    const equal = typeof answer !== 'string' && answer.length === expected.length &&
      expected.every((want, r) => {
        if (want === undefined) return answer[r] === undefined || asFresh(answer[r], rates[r]!);
        // A store may drop a state that decides as a fresh key's (an emptied log) by its own TTL clock.
        if (answer[r] === undefined) return asFresh(want, rates[r]!);
        return text(answer[r]) === text(want);
      });
    if (!equal) {
      const got = typeof answer === 'string' ? answer : answer.map(text).join(' | ');
      differences.push({ step: -1, atMs: 0, operation: `read the stored states of "id-${i}" after the trace (Throttle.stats)`, expected: expected.map(text).join(' | '), got });
    }
  }
  return { read: true, differences };
}

async function runStep(
  backend: Backend, reference: ReferenceModel, step: TraceStep, strategy: AnyStrategy, rates: readonly Rate[], uid: string, now: number,
): Promise<{ expected: StepDecision[][]; got: StepDecision[][] | string }> {
  if (step.kind === 'batch') {
    const base = requestFor(uid, step.identity, strategy, rates, 0);
    const batch = { strategy, scope: base.scope, keys: base.keys, rates, costs: step.costs };
    const expected = reference.applyBatch(batch, now);
    const got = await backend.applyBatch(batch).then((d) => d, formatError);
    return { expected, got: typeof got !== 'string' && got.length !== expected.length ? `${got.length} results for ${expected.length} costs` : got };
  }
  const op: StepOp | undefined = step.kind === 'charge' || step.kind === 'refund' ? step.kind : undefined;
  const request = requestFor(uid, step.identity, strategy, rates, step.cost, op, step.kind === 'peek');
  const expected = [reference.apply(request, now)];
  const got = await backend.apply(request).then((d) => [d], formatError);
  return { expected, got };
}

/**
 * Rounds of concurrent cost-1 hits on one identity at one instant, spread
 * over several backends on one store: the set of decisions must be the one
 * the same hits give one after another (any order is fine), and a peek
 * afterwards must see every allowed hit (a lost update shows here).
 */
async function concurrencyCheck(
  s: Subject, make: (s: Subject) => Promise<Backend>, strategy: AnyStrategy, instances: number, hits: number, uid: string, seed: number,
): Promise<{ operations: number; differences: ConformanceDifference[] }> {
  const backends: Backend[] = [];
  for (let i = 0; i < Math.max(1, instances); i++) backends.push(await make(s));
  const limit = Math.max(1, Math.floor(hits / 2));
  const rates = [Rate.parse(`${limit}/hour`)];
  const labels = [`${limit}/hour`];
  const reference = new ReferenceModel();
  const random = seededRandom(seed);
  const differences: ConformanceDifference[] = [];
  let operations = 0;
  for (let round = 0; round < 3 && differences.length === 0; round++) {
    s.clock.advance(1 + Math.floor(random() * 1000));
    const now = s.clock();
    const identity = `round-${round}`;
    const request = requestFor(uid, identity, strategy, rates, 1);
    const expected = Array.from({ length: hits }, () => formatDecisions(reference.apply(request, now), labels)).sort();
    const got = (await Promise.all(Array.from({ length: hits }, (_, i) => backends[i % backends.length]!.apply(request).then((d) => formatDecisions(d, labels), formatError)))).sort();
    operations += hits;
    const atMs = now - s.startMs;
    const what = `${hits} concurrent hits of cost 1 from ${backends.length} backends on "${identity}"`;
    if (got.join('\n') !== expected.join('\n')) {
      const count = (list: string[]): string => `${list.filter((d) => d.includes('allowed=true')).length} allowed`;
      differences.push({ step: round, atMs, operation: what, expected: `${count(expected)}: ${summarise(expected)}`, got: `${count(got)}: ${summarise(got)}` });
      break;
    }
    const peek = requestFor(uid, identity, strategy, rates, 0, undefined, true);
    const want = formatDecisions(reference.apply(peek, now), labels);
    const after = await backends[0]!.apply(peek).then((d) => formatDecisions(d, labels), formatError);
    operations++;
    if (after !== want) differences.push({ step: round, atMs, operation: `peek after ${what} (every allowed hit must be stored)`, expected: want, got: after });
  }
  return { operations, differences };
}

/** Decisions grouped as `3 x (...)`, in order. */
function summarise(decisions: readonly string[]): string {
  const groups = new Map<string, number>();
  for (const d of decisions) groups.set(d, (groups.get(d) ?? 0) + 1);
  return [...groups].map(([d, n]) => `\n              ${n} x ${d}`).join('');
}

/** Fills an identity, resets it: the next hit must be a fresh key's. */
async function resetCheck(backend: Backend, s: Subject, uid: string): Promise<{ operations: number; differences: ConformanceDifference[] }> {
  const strategy = new builtIn.TokenBucketStrategy();
  const rates = [Rate.parse('3/hour')];
  const labels = ['3/hour'];
  const request = requestFor(uid, 'reset', strategy, rates, 1);
  for (let i = 0; i < 4; i++) await backend.apply(request);
  await backend.reset(request.scope, request.keys);
  const want = formatDecisions(new ReferenceModel().apply(request, s.clock()), labels);
  const got = await backend.apply(request).then((d) => formatDecisions(d, labels), formatError);
  return { operations: 6, differences: got === want ? [] : [{ step: 5, atMs: 0, operation: 'hit cost 1 right after reset (4 hits on 3/hour before)', expected: want, got }] };
}
