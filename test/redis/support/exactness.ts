/**
 * The exactness check shared by the single-server and cluster tests: 4
 * separate Node processes x 250 concurrent hits on one key, limit 100 per
 * minute, server clock: exactly 100 allowed, for every built-in strategy.
 */
import { expect } from 'vitest';
import { hundredPerMinuteStrategies } from './strategies.js';
import type { WorkerConfig } from './hit-worker.js';
import { runWorkers } from './workers.js';

/** Waits while the next minute boundary (where fixed windows turn over) is less than 3 s away. */
async function awayFromMinuteBoundary(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 3000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/**
 * Asserts exactly 100 allowed of 4 x 250. The bucket strategies refill one
 * unit every 600 ms at 100/minute, so if the four bursts together spread over
 * more than 600 ms (a badly overloaded machine), they may admit one more unit
 * per 600 ms elapsed, and no more; the test reports the spread.
 */
export async function expectExactlyOneHundred(redis: WorkerConfig['redis'], namespace: string): Promise<void> {
  const run = `${process.pid}-${Date.now()}`;
  const rounds = hundredPerMinuteStrategies().map(([label]) => ({ uid: `exact:${label}:${run}`, strategy: label, rate: '100/minute', hits: 250 }));
  const config: WorkerConfig = { redis, namespace, clockOffsetMs: 0, rounds };
  const results = await runWorkers([config, config, config, config], { beforeRound: awayFromMinuteBoundary });
  const windowed = new Set(['fixed window', 'sliding window counter', 'sliding window log']);
  const summary = rounds.map((round, r) => {
    const workers = results[r]!;
    const spreadMs = Math.max(...workers.map((w) => w.endedAt)) - Math.min(...workers.map((w) => w.startedAt));
    const allowed = workers.reduce((sum, w) => sum + w.allowed, 0);
    const refills = windowed.has(round.strategy) ? 0 : Math.floor(spreadMs / 600);
    return {
      strategy: round.strategy,
      exact: allowed >= 100 && allowed <= 100 + refills ? 'yes' : `no: ${allowed} allowed in ${Math.round(spreadMs)} ms`,
      answered: workers.reduce((sum, w) => sum + w.allowed + w.denied, 0),
      errors: workers.flatMap((w) => w.errors),
    };
  });
  expect(summary).toEqual(rounds.map((round) => ({ strategy: round.strategy, exact: 'yes', answered: 1000, errors: [] })));
}
