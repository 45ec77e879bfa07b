/**
 * The exactness check shared by the single-server and cluster tests: 4
 * separate Node processes x 250 concurrent hits on one key, limit 100 per
 * minute, server clock: exactly 100 allowed, for every built-in strategy.
 */
import { expect } from 'vitest';
import { hundredPerMinuteStrategies } from './strategies.js';
import type { WorkerConfig } from './hit-worker.js';
import { runWorkers } from './workers.js';

export async function expectExactlyOneHundred(redis: WorkerConfig['redis'], namespace: string): Promise<void> {
  const run = `${process.pid}-${Date.now()}`;
  const rounds = hundredPerMinuteStrategies().map(([label]) => ({ uid: `exact:${label}:${run}`, strategy: label, rate: '100/minute', hits: 250 }));
  const config: WorkerConfig = { redis, namespace, clockOffsetMs: 0, rounds };
  const results = await runWorkers([config, config, config, config]);
  const summary = rounds.map((round, r) => ({
    strategy: round.strategy,
    allowed: results[r]!.reduce((sum, w) => sum + w.allowed, 0),
    denied: results[r]!.reduce((sum, w) => sum + w.denied, 0),
    errors: results[r]!.flatMap((w) => w.errors),
  }));
  expect(summary).toEqual(rounds.map((round) => ({ strategy: round.strategy, allowed: 100, denied: 900, errors: [] })));
}
