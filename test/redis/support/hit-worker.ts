/**
 * A separate Node process for the exactness and clock-skew tests, run with
 * tsx. argv[2] is a JSON `WorkerConfig`. For each round it prints "ready",
 * waits for a line on stdin (so all workers start together), fires the
 * round's hits all at once on one key, and prints one JSON `RoundResult`.
 */
import { createInterface } from 'node:readline';
import { Cluster, Redis } from 'ioredis';
import { Throttle } from '../../../src/index.js';
import { RedisBackend } from '../../../src/redis.js';
import { hundredPerMinuteStrategies } from './strategies.js';

/** What the parent sends. */
export interface WorkerConfig {
  /** A redis:// URL, or the masters of a cluster. */
  readonly redis: { url: string } | { cluster: { host: string; port: number }[] };
  readonly namespace: string;
  /** This process's local clock runs this far ahead of the real one (Date.now is patched). */
  readonly clockOffsetMs: number;
  readonly rounds: readonly { uid: string; strategy: string; rate: string; hits: number }[];
}

/** What the worker prints per round. */
export interface RoundResult {
  readonly allowed: number;
  readonly denied: number;
  readonly errors: string[];
  /** retryAfterMs of the denied hits (smallest and largest). */
  readonly minRetryAfterMs: number;
  readonly maxRetryAfterMs: number;
  /** Real wall-clock ms (unaffected by the clock offset) when the burst started and when its last answer came. */
  readonly startedAt: number;
  readonly endedAt: number;
}

/** Real time in ms, whatever Date.now says. */
const realNow = (): number => performance.timeOrigin + performance.now();

const config = JSON.parse(process.argv[2]!) as WorkerConfig;
if (config.clockOffsetMs !== 0) {
  const systemNow = Date.now.bind(Date);
  Date.now = () => systemNow() + config.clockOffsetMs;
}
const client = 'url' in config.redis ? new Redis(config.redis.url) : new Cluster(config.redis.cluster);
const backend = new RedisBackend({ client, namespace: config.namespace, timeoutMs: 10_000 });
const strategies = new Map(hundredPerMinuteStrategies());
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function main(): Promise<void> {
  for (const round of config.rounds) {
    const throttle = new Throttle({ uid: round.uid, rate: round.rate, strategy: strategies.get(round.strategy)!, backend, onError: 'raise' });
    await throttle.peek('warm-up'); // connect and load the script before the start line
    process.stdout.write('ready\n');
    await lines.next();
    const startedAt = realNow();
    const results = await Promise.allSettled(Array.from({ length: round.hits }, () => throttle.hit('shared')));
    const endedAt = realNow();
    const decisions = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const retries = decisions.filter((d) => !d.allowed).map((d) => d.retryAfterMs);
    const result: RoundResult = {
      allowed: decisions.filter((d) => d.allowed).length,
      denied: retries.length,
      errors: results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : [])),
      minRetryAfterMs: retries.length ? Math.min(...retries) : -1,
      maxRetryAfterMs: retries.length ? Math.max(...retries) : -1,
      startedAt,
      endedAt,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
  client.disconnect();
}

main().catch((error: unknown) => {
  process.stdout.write(`${JSON.stringify({ fatal: String(error) })}\n`);
  process.exit(1);
});
