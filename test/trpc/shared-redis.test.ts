import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { SharedRouter } from './fixtures/shared-redis-server.js';
import { usePortFixtures } from '../support/server-process.js';

const script = fileURLToPath(new URL('./fixtures/shared-redis-server.ts', import.meta.url));
const namespace = `trpc-shared-${process.pid}-${Date.now()}`;
/** Two server processes on the shared redis-server (each prints its port once it listens). */
const urls = usePortFixtures(script, [inject('redisUrl'), namespace], 2);

describe('two server processes sharing one RedisBackend', () => {
  it('enforce one limit together', async () => {
    const clients = urls.map((url) => createTRPCClient<SharedRouter>({ links: [httpLink({ url })] }));
    const outcomes: { server: number; ok: boolean; pid?: number }[] = [];
    for (let i = 0; i < 10; i++) {
      const server = i % 2;
      try {
        outcomes.push({ server, ok: true, pid: await clients[server]!.hit.query() });
      } catch (error) {
        expect(error).toBeInstanceOf(TRPCClientError);
        expect((error as TRPCClientError<SharedRouter>).data).toMatchObject({ code: 'TOO_MANY_REQUESTS', httpStatus: 429 });
        outcomes.push({ server, ok: false });
      }
    }
    // Five allowed in all, alternating between the two processes; then both refuse.
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, true, true, false, false, false, false, false]);
    expect(new Set(outcomes.filter((o) => o.ok).map((o) => o.pid)).size).toBe(2);
  });
});
