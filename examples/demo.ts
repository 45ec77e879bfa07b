/**
 * `npm run demo`: a burst of 12 requests, one every 50 ms, against "5 per
 * second" under several strategies, on the in-process backend with a
 * simulated clock (so the demo is instant and the same every run). Shows
 * which hits pass, which are told to wait and for how long, and which are
 * queued (leaky bucket with queue) and how long they wait for their turn.
 */
import {
  FixedWindowStrategy, GCRAStrategy, InMemoryBackend, LeakyBucketStrategy, LeakyBucketWithQueueStrategy,
  SlidingWindowCounterStrategy, SlidingWindowLogStrategy, Throttle, TokenBucketStrategy, type AnyStrategy,
} from '../src/index.js';

const RATE = '5/second';
const HITS = 12;
const SPACING_MS = 50;

const strategies: [string, AnyStrategy][] = [
  ['fixed window', new FixedWindowStrategy()],
  ['sliding window counter', new SlidingWindowCounterStrategy()],
  ['sliding window log', new SlidingWindowLogStrategy()],
  ['token bucket (burst 8)', new TokenBucketStrategy({ burstSize: 8 })],
  ['leaky bucket', new LeakyBucketStrategy()],
  ['leaky bucket + queue (8)', new LeakyBucketWithQueueStrategy({ queueSize: 8 })],
  ['GCRA (tolerance 400 ms)', new GCRAStrategy({ burstToleranceMs: 400 })],
];

let now = Date.UTC(2026, 0, 1, 12, 0, 0, 700); // 700 ms into a second: the fixed window resets mid-burst
const backend = new InMemoryBackend({ namespace: 'demo', clock: () => now });

console.log(`Traffik demo: ${HITS} requests, one every ${SPACING_MS} ms, against "${RATE}" (in-process backend)\n`);
console.log('  ✓ passed   ✓+N passed after waiting N ms in the queue   ✗N denied: retry after N ms\n');
const header = 'strategy'.padEnd(26) + Array.from({ length: HITS }, (_, i) => `t=${i * SPACING_MS}`.padStart(8)).join('');
console.log(header);
console.log('-'.repeat(header.length));
const start = now;
for (const [name, strategy] of strategies) {
  const throttle = new Throttle({ uid: `demo-${name}`, rate: RATE, strategy, backend });
  const cells: string[] = [];
  let passed = 0;
  for (let i = 0; i < HITS; i++) {
    now = start + i * SPACING_MS;
    const d = await throttle.hit('client-1');
    if (d.allowed) passed++;
    cells.push((d.allowed ? (d.delayMs > 0 ? `✓+${d.delayMs}` : '✓') : `✗${d.retryAfterMs}`).padStart(8));
  }
  console.log(name.padEnd(26) + cells.join('') + `   ${passed}/${HITS} passed`);
}
await backend.close();
console.log('\nSame burst, different shapes: windows pass a burst then block until they reset; buckets refill smoothly;');
console.log('GCRA spaces hits evenly with a little slack; the queue admits more but makes them wait their turn.');
console.log('Every strategy under the same traffic, drawn from its real step: docs/strategies.md (npm run plots redraws them).');
