/**
 * `describeBackendConformance`: the conformance kit as a test suite for
 * vitest or jest (it uses their `describe` / `it`, given or global; it
 * imports neither).
 */
import { ConfigurationError, describeValue } from '../core/errors.js';
import { checkOptionNames, checkWholeNumber } from '../core/options.js';
import { CHECK_OPTION_NAMES, conformanceChecks, type ConformanceCheckOptions, type MakeBackend } from './checks.js';

/** A test framework's `describe`: `describe(name, body)`. */
export type DescribeFunction = (name: string, body: () => void) => void;
/** A test framework's `it`: `it(name, body, timeoutMs)`. */
export type ItFunction = (name: string, body: () => Promise<void>, timeoutMs?: number) => void;

/** Options of `describeBackendConformance`: what the checks run, and the test functions to use. */
export interface ConformanceOptions extends ConformanceCheckOptions {
  /** `describe` of your test framework (default: the global one; vitest needs `globals: true` or this option). */
  readonly describe?: DescribeFunction;
  /** `it` of your test framework (default: the global one). */
  readonly it?: ItFunction;
  /** Timeout of each check, ms (default 60000). */
  readonly timeoutMs?: number;
}

/** Thrown by a failing conformance test; its message is the check's report. */
export class ConformanceError extends Error {
  override readonly name = 'ConformanceError';
}

/**
 * Declares one test per conformance check for the backends `makeBackend`
 * builds (see `MakeBackend`: use the given clock, and let backends made with
 * one setup share their store): random traces of hits, peeks, batches,
 * charges and refunds (where the strategy supports them) on one and several
 * rates, concurrent hits from several backends, and reset, each compared
 * with the in-process decisions on a shared manual clock. A failing test
 * throws a `ConformanceError` saying which step differed, what was expected
 * and what the backend answered. Throws `ConfigurationError` when no
 * `describe` / `it` is given or global.
 */
export function describeBackendConformance(name: string, makeBackend: MakeBackend, options: ConformanceOptions = {}): void {
  if (typeof makeBackend !== 'function') {
    throw new ConfigurationError(`describeBackendConformance: makeBackend must be a function returning a Backend, got ${describeValue(makeBackend)}`);
  }
  checkOptionNames('describeBackendConformance', options, [...CHECK_OPTION_NAMES, 'describe', 'it', 'timeoutMs']);
  const timeoutMs = checkWholeNumber('describeBackendConformance', 'timeoutMs', options.timeoutMs ?? 60_000, 1);
  const { describe: _describe, it: _it, timeoutMs: _timeout, ...checkOptions } = options;
  const checks = conformanceChecks(makeBackend, checkOptions);
  const globals = globalThis as { describe?: unknown; it?: unknown };
  const describe = (options.describe ?? globals.describe) as DescribeFunction | undefined;
  const it = (options.it ?? globals.it) as ItFunction | undefined;
  if (typeof describe !== 'function' || typeof it !== 'function') {
    throw new ConfigurationError('describeBackendConformance: no describe/it found: pass { describe, it } from your test framework (vitest without globals: true needs this)');
  }
  describe(`${name}: backend conformance`, () => {
    for (const check of checks) {
      it(check.name, async () => {
        const result = await check.run();
        if (!result.passed) throw new ConformanceError(result.report);
      }, timeoutMs);
    }
  });
}
