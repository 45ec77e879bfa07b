/**
 * Your own store, end to end: the example key-value server (a second
 * process), the `CasStore` adapter for it, `casBackend` and a throttle.
 *   npx tsx examples/own-store/main.ts
 */
import { Throttle, casBackend } from '../../src/index.js';
import { KvStore } from './kv-store.js';
import { startKvServer } from './start-server.js';

const server = await startKvServer();
// Two backends on one store: as two app processes would share it.
const processA = casBackend(new KvStore({ port: server.port }), { namespace: 'own-store-demo' });
const processB = casBackend(new KvStore({ port: server.port }), { namespace: 'own-store-demo' });
const a = new Throttle({ uid: 'api', rate: '5/minute', backend: processA });
const b = new Throttle({ uid: 'api', rate: '5/minute', backend: processB });
try {
  for (let i = 1; i <= 7; i++) {
    const decision = await (i % 2 === 0 ? b : a).hit('alice');
    console.log(`hit ${i} via process ${i % 2 === 0 ? 'B' : 'A'}: ${decision.allowed ? 'allowed' : 'denied'}, ${decision.remaining} left`);
  }
} finally {
  await Promise.all([processA.close(), processB.close()]);
  await server.stop();
}
