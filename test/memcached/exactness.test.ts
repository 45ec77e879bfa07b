/**
 * Exactness across processes: 4 Node processes each fire 250 concurrent hits
 * at one key of a 100/minute limit on one memcached, at one instant (a
 * shared fixed clock, so nothing refills): exactly 100 are allowed in total,
 * for every strategy, and no hit fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { exactnessStrategies, HITS_PER_PROCESS } from './exactness-strategies.js';

const PROCESSES = 4;
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
const worker = fileURLToPath(new URL('./exactness-worker.ts', import.meta.url));

interface Worker {
  readonly child: ChildProcess;
  readonly lines: Interface;
  next(): Promise<string>;
}

function startWorker(namespace: string, now: number): Worker {
  const child = spawn(tsx, [worker, inject('memcachedServers'), namespace, String(now)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const queue: string[] = [];
  const waiting: { resolve(line: string): void; reject(error: Error): void }[] = [];
  lines.on('line', (line) => {
    const w = waiting.shift();
    if (w) w.resolve(line);
    else queue.push(line);
  });
  child.once('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`worker exited with ${code}`));
  });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const line = queue.shift();
      if (line !== undefined) return resolve(line);
      if (child.exitCode !== null) return reject(new Error(`worker exited with ${child.exitCode}`));
      waiting.push({ resolve, reject });
    });
  return { child, lines, next };
}

describe('exactness across 4 processes', () => {
  const namespace = `exact-${process.pid}-${Date.now()}`;
  let workers: Worker[] = [];

  beforeAll(async () => {
    const now = Date.UTC(2030, 0, 1, 12, 0, 30);
    workers = Array.from({ length: PROCESSES }, () => startWorker(namespace, now));
    for (const w of workers) expect(await w.next()).toBe('ready');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map(async (w) => {
      if (w.child.exitCode !== null) return;
      const exited = new Promise((resolve) => w.child.once('exit', resolve));
      w.child.stdin!.write('exit\n');
      const timer = setTimeout(() => w.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }));
  });

  exactnessStrategies().forEach((strategy, index) => {
    it(`${strategy.name}: ${PROCESSES} x ${HITS_PER_PROCESS} hits, exactly 100 allowed`, async () => {
      for (const w of workers) w.child.stdin!.write(`go ${index} user-${index}\n`);
      const replies = (await Promise.all(workers.map((w) => w.next()))).map((line) => JSON.parse(line) as { allowed: number; errors: string[]; errorCount: number });
      expect(replies.map((r) => r.errors).flat()).toEqual([]);
      expect(replies.reduce((sum, r) => sum + r.allowed, 0)).toBe(100);
    });
  });
});
