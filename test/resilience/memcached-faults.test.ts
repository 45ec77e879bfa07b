/**
 * Production behaviour against a real memcached that the test kills,
 * freezes and restarts (a private server: the shared one is never touched).
 */
import { afterEach, describe, it } from 'vitest';
import { MemcachedBackend } from '../../src/memcached.js';
import { startMemcached, type MemcachedServer } from '../harness/servers.js';
import { TIMEOUT_MS, builtInPolicies, killAndRecover, stuckServer } from './fault-scenarios.js';

let server: MemcachedServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('MemcachedBackend faults', () => {
  it('killed with 1,000 hits in flight: failover answers every hit in time, then recovers through half-open to closed', async () => {
    server = await startMemcached();
    const servers = server.location;
    await killAndRecover(server, () => new MemcachedBackend({ servers, namespace: 'faults', timeoutMs: TIMEOUT_MS }));
  });

  it('frozen with SIGSTOP: hits are answered within timeoutMs, not hung', async () => {
    server = await startMemcached();
    const servers = server.location;
    await stuckServer(server, () => new MemcachedBackend({ servers, namespace: 'faults', timeoutMs: TIMEOUT_MS }));
  });

  it("'allow', 'throttle' and 'raise' do what they say when the server is gone", async () => {
    server = await startMemcached();
    const servers = server.location;
    await builtInPolicies(server, () => new MemcachedBackend({ servers, namespace: 'faults', timeoutMs: TIMEOUT_MS }));
  });
});
