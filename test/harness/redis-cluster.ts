/**
 * Starts a real 3-master Redis Cluster for tests: three `redis-server
 * --cluster-enabled yes` on free ports (each with its own temporary config
 * directory), joined with `redis-cli --cluster create ... --cluster-replicas 0
 * --cluster-yes`, and waits until every node reports `cluster_state:ok`.
 * Fails loudly (throws) when a binary is missing or the cluster does not form.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from './servers.js';

/** A running cluster. */
export interface RedisClusterHandle {
  /** The masters, for `new Cluster(nodes)`. */
  readonly nodes: readonly { host: string; port: number }[];
  /** The server processes (pause/kill/restart one to test failures). */
  readonly servers: readonly RedisServer[];
  /** Stops every node and removes their config directories. */
  stop(): Promise<void>;
}

async function run(binary: string, args: string[]): Promise<string> {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const [code] = (await Promise.race([once(child, 'exit'), once(child, 'error').then(([e]) => { throw e; })])) as [number | null];
  if (code !== 0) throw new Error(`${binary} ${args.join(' ')} exited with ${code}:\n${output}`);
  return output;
}

/** Starts three cluster-enabled redis-servers and forms a cluster of three masters. */
export async function startRedisCluster(): Promise<RedisClusterHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'traffik-cluster-'));
  const servers: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 3; i++) {
      servers.push(await startRedis([
        '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${i}.conf`),
        '--cluster-node-timeout', '5000', '--dir', dir,
      ]));
    }
    await run('redis-cli', ['--cluster', 'create', ...servers.map((s) => `${s.host}:${s.port}`), '--cluster-replicas', '0', '--cluster-yes']);
    const deadline = Date.now() + 20_000;
    for (const server of servers) {
      const probe = new Redis({ host: server.host, port: server.port, lazyConnect: true, maxRetriesPerRequest: 1 });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        for (;;) {
          const info = String(await probe.call('CLUSTER', 'INFO'));
          if (info.includes('cluster_state:ok')) break;
          if (Date.now() > deadline) throw new Error(`Redis Cluster node ${server.port} not ok within 20 s:\n${info}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        probe.disconnect();
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes: servers.map((s) => ({ host: s.host, port: s.port })), servers, stop };
}
