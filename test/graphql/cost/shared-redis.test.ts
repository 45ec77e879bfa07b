import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { post } from './servers.js';
import { usePortFixtures } from '../../support/server-process.js';

const script = fileURLToPath(new URL('./fixtures/shared-redis-server.ts', import.meta.url));
const namespace = `cost-shared-${process.pid}-${Date.now()}`;
/** Two server processes on the shared redis-server (each prints its port once it listens). */
const urls = usePortFixtures(script, [inject('redisUrl'), namespace], 2, '/graphql');

const available = (reply: Awaited<ReturnType<typeof post>>): unknown =>
  (reply.body.extensions?.['cost'] as { throttleStatus?: { currentlyAvailable: number } } | undefined)?.throttleStatus?.currentlyAvailable;

describe('two Yoga processes sharing one Redis', () => {
  it('keep one budget per caller: charges and refunds made by either are seen by both', async () => {
    const [first, second] = urls as [string, string];
    // Requested 252, actual 12 on each: 12 kept per operation, whichever process ran it.
    expect(available(await post(first, 'alice', '{ products(first: 251) { nodes { id } } }'))).toBe(988);
    expect(available(await post(second, 'alice', '{ products(first: 251) { nodes { id } } }'))).toBe(976);
    expect(available(await post(first, 'alice', '{ heavy }'))).toBe(576);
    expect(available(await post(second, 'alice', '{ heavy }'))).toBe(176);
    const refused = await post(first, 'alice', '{ heavy }');
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'THROTTLED', cost: 400 });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(200);
    // Another caller has a budget of its own, on either process.
    expect(available(await post(second, 'bob', '{ heavy }'))).toBe(600);
  });
});
