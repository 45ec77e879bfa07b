/**
 * Runs several hit-worker.ts processes in lock step: all get ready, all are
 * told to start at once, and each round's results are collected.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { RoundResult, WorkerConfig } from './hit-worker.js';

const TSX = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const WORKER = fileURLToPath(new URL('./hit-worker.ts', import.meta.url));

/**
 * Starts one worker per config and runs their rounds together; resolves with
 * results[round][worker]. `beforeRound` runs once all workers are ready,
 * before they are told to start.
 */
export async function runWorkers(configs: readonly WorkerConfig[], options: { beforeRound?: (round: number) => Promise<void> } = {}): Promise<RoundResult[][]> {
  const rounds = configs[0]!.rounds.length;
  const children: ChildProcess[] = [];
  const readers: AsyncIterator<string>[] = [];
  const stderr: string[] = [];
  for (const [i, config] of configs.entries()) {
    const child = spawn(TSX, [WORKER, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
    stderr[i] = '';
    child.stderr!.on('data', (c: Buffer) => (stderr[i] += c.toString()));
    children.push(child);
    readers.push(createInterface({ input: child.stdout! })[Symbol.asyncIterator]());
  }
  const nextLine = async (i: number): Promise<string> => {
    const { value, done } = await readers[i]!.next();
    if (done) throw new Error(`worker ${i} exited early:\n${stderr[i]}`);
    if (value.includes('"fatal"')) throw new Error(`worker ${i} failed: ${value}\n${stderr[i]}`);
    return value;
  };
  try {
    const results: RoundResult[][] = [];
    for (let r = 0; r < rounds; r++) {
      await Promise.all(children.map(async (_, i) => {
        const line = await nextLine(i);
        if (line !== 'ready') throw new Error(`worker ${i}: expected "ready", got ${line}`);
      }));
      await options.beforeRound?.(r);
      for (const child of children) child.stdin!.write('go\n');
      results.push(await Promise.all(children.map(async (_, i) => JSON.parse(await nextLine(i)) as RoundResult)));
    }
    return results;
  } finally {
    for (const child of children) {
      child.stdin!.end();
      if (child.exitCode === null) child.kill();
    }
  }
}
