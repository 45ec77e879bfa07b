/**
 * The fault tests of a remote backend (test/resilience/*-faults.test.ts):
 * each scenario of fault-scenarios.ts against a private server started for
 * that test alone (the shared one is never touched) and stopped after it.
 * Every remote backend gets the same tests with the same options.
 */
import { afterEach, describe, it } from 'vitest';
import type { Backend } from '../../src/index.js';
import type { ServerHandle } from '../harness/servers.js';
import { TIMEOUT_MS, builtInPolicies, killAndRecover, stuckServer } from '../resilience/fault-scenarios.js';

/** The options every backend under fault test is built with. */
export interface FaultBackendOptions {
  readonly namespace: string;
  readonly timeoutMs: number;
}

/** Declares `title`'s fault tests: `start` starts a private server, `makeBackend` builds a backend on it with `options`. */
export function describeServerFaults<S extends ServerHandle>(
  title: string,
  start: () => Promise<S>,
  makeBackend: (server: S, options: FaultBackendOptions) => Backend,
): void {
  const options: FaultBackendOptions = { namespace: 'faults', timeoutMs: TIMEOUT_MS };
  let server: S | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });
  /** Starts this test's server and hands the scenario a way to build backends on it. */
  const run = (scenario: (server: ServerHandle, makeBackend: () => Backend) => Promise<void>) => async () => {
    const started = await start();
    server = started;
    await scenario(started, () => makeBackend(started, options));
  };

  describe(title, () => {
    it('killed with 1,000 hits in flight: failover answers every hit in time, then recovers through half-open to closed', run(killAndRecover));
    it('frozen with SIGSTOP: hits are answered within timeoutMs, not hung', run(stuckServer));
    it("'allow', 'throttle' and 'raise' do what they say when the server is gone", run(builtInPolicies));
  });
}
