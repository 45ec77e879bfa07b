/**
 * Child process of exactness.test.ts: one Node process hitting a shared
 * memcached. Reads commands from stdin, one per line:
 *   go <strategy index> <identity>   -> fires 250 concurrent hits, prints {"allowed":n,"errors":[...]}
 * argv: <memcached servers> <namespace> <fixed clock ms>
 */
import { createInterface } from 'node:readline';
import { Throttle } from '../../src/index.js';
import { MemcachedBackend } from '../../src/memcached.js';
import { exactnessStrategies, HITS_PER_PROCESS, LIMIT } from './exactness-strategies.js';

const [servers, namespace, fixedNow] = process.argv.slice(2) as [string, string, string];
const backend = new MemcachedBackend({ servers, namespace, clock: () => Number(fixedNow) });
const strategies = exactnessStrategies();

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [command, index, identity] = line.trim().split(' ');
  if (command === 'exit') {
    void backend.close().then(() => process.exit(0));
    return;
  }
  const strategy = strategies[Number(index)]!;
  const throttle = new Throttle({ uid: `exact-${strategy.name}`, rate: LIMIT, strategy, backend, onError: 'raise' });
  void Promise.allSettled(Array.from({ length: HITS_PER_PROCESS }, () => throttle.hit(identity!))).then((results) => {
    const allowed = results.filter((r) => r.status === 'fulfilled' && r.value.allowed).length;
    const errors = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
    process.stdout.write(`${JSON.stringify({ allowed, errors: errors.slice(0, 3), errorCount: errors.length })}\n`);
  });
});
process.stdout.write('ready\n');
