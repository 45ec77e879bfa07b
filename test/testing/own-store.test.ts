/**
 * The example store (examples/own-store: a key-value server in a second
 * process, reached over TCP through a `CasStore` written only against the
 * interface) passes the conformance kit, and its failures reach `onError`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendError, Throttle, casBackend } from '../../src/index.js';
import { describeBackendConformance } from '../../src/testing/index.js';
import { KvStore } from '../../examples/own-store/kv-store.js';
import { startKvServer, type KvServer } from '../../examples/own-store/start-server.js';

let server: KvServer;
beforeAll(async () => {
  server = await startKvServer();
});
afterAll(async () => {
  await server.stop();
});

// Each backend gets its own connection, as separate app processes would.
describeBackendConformance('the example key-value server', ({ clock, namespace }) =>
  casBackend(new KvStore({ port: server.port }), { namespace, clock }), { describe, it });

describe('the example store in use', () => {
  it('npx tsx examples/own-store/main.ts: two processes share one limit', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'examples/own-store/main.ts'], { timeout: 30_000 });
    expect(stdout.split('\n').filter((line) => line.includes('allowed,'))).toHaveLength(5);
    expect(stdout).toContain('hit 6 via process B: denied, 0 left');
  });

  it('a store that went away: the hit fails with a BackendError for onError, and the next call reconnects', async () => {
    const own = await startKvServer();
    const backend = casBackend(new KvStore({ port: own.port }), { namespace: 'gone', timeoutMs: 500 });
    const throttle = new Throttle({ uid: 'gone', rate: '5/minute', backend, onError: 'throttle' });
    try {
      expect((await throttle.hit('k')).allowed).toBe(true);
      await own.stop();
      const decision = await throttle.hit('k');
      expect(decision.allowed).toBe(false);
      expect(decision.error).toBeInstanceOf(BackendError);
      expect(String(decision.error)).toMatch(/CasStore (get|compareAndSet) .* failed/);
      // Back on the same port (empty, as after a crash): the next hit reconnects and starts afresh.
      const again = await startKvServer(own.port);
      try {
        const back = await throttle.hit('k');
        expect(back.error).toBeUndefined();
        expect(back.remaining).toBe(4);
      } finally {
        await again.stop();
      }
    } finally {
      await backend.close();
    }
  });
});
