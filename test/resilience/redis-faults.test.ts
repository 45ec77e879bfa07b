/**
 * Production behaviour against a real redis-server that the test kills,
 * freezes and restarts (a private server: the shared one is never touched).
 */
import { afterEach, describe, it } from 'vitest';
import { RedisBackend } from '../../src/redis.js';
import { startRedis, type RedisServer } from '../harness/servers.js';
import { TIMEOUT_MS, builtInPolicies, killAndRecover, stuckServer } from './fault-scenarios.js';

let server: RedisServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('RedisBackend faults', () => {
  it('killed with 1,000 hits in flight: failover answers every hit in time, then recovers through half-open to closed', async () => {
    server = await startRedis();
    const url = server.url;
    await killAndRecover(server, () => new RedisBackend({ url, namespace: 'faults', timeoutMs: TIMEOUT_MS }));
  });

  it('frozen with SIGSTOP: hits are answered within timeoutMs, not hung', async () => {
    server = await startRedis();
    const url = server.url;
    await stuckServer(server, () => new RedisBackend({ url, namespace: 'faults', timeoutMs: TIMEOUT_MS }));
  });

  it("'allow', 'throttle' and 'raise' do what they say when the server is gone", async () => {
    server = await startRedis();
    const url = server.url;
    await builtInPolicies(server, () => new RedisBackend({ url, namespace: 'faults', timeoutMs: TIMEOUT_MS }));
  });
});
