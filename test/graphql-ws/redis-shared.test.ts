import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createClient } from 'graphql-ws';
import { afterAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { run } from './support.js';

const fixture = fileURLToPath(new URL('./fixtures/shared-redis-server.ts', import.meta.url));
const children: ChildProcess[] = [];

afterAll(async () => {
  await Promise.all(children.map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  })));
});

/** Starts one server process (tsx) and resolves with its ws URL; fails loudly if it cannot start. */
function startServerProcess(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += String(chunk);
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}: ${stderr}`)));
  });
}

describe('two server processes sharing a Redis backend', () => {
  it('enforce one Subscribe limit for a client connected to both', async () => {
    const env = { REDIS_URL: inject('redisUrl'), NAMESPACE: `gqlws${process.pid}${Date.now()}`, CLOCK_MS: String(Date.now()) };
    const [first, second] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    expect(first).not.toBe(second);
    const clients = [first!, second!].map((url) => createClient({
      url, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { user: 'alice' },
    }));
    const other = createClient({ url: second!, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { user: 'bob' } });
    try {
      // Alternate between the servers: 5 per minute in all, not 5 on each.
      const outcomes = [];
      for (let i = 0; i < 8; i++) outcomes.push(await run(clients[i % 2]!, '{ hello }').finished);
      expect(outcomes.map((o) => (o.completed ? 'ok' : o.errors?.[0]?.extensions?.code))).toEqual([
        'ok', 'ok', 'ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED',
      ]);
      // Another caller has its own budget on the same servers.
      expect((await run(other, '{ hello }').finished).completed).toBe(true);
    } finally {
      await Promise.all([...clients, other].map((c) => c.dispose()));
    }
  });
});
