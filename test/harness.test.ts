import { createConnection } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { startRedis } from './harness/servers.js';

function send(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write(text));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString());
    });
    socket.once('error', reject);
  });
}

describe('test harness', () => {
  it('provides a running redis-server and memcached', async () => {
    const redisPort = Number(new URL(inject('redisUrl')).port);
    expect(await send(redisPort, 'PING\r\n')).toContain('+PONG');
    const memcachedPort = Number(inject('memcachedServers').split(':')[1]);
    expect(await send(memcachedPort, 'version\r\n')).toMatch(/^VERSION/);
  });

  it('kills and restarts a private server on the same port', async () => {
    const redis = await startRedis();
    try {
      await redis.kill();
      await expect(send(redis.port, 'PING\r\n')).rejects.toThrow();
      await redis.restart();
      expect(await send(redis.port, 'PING\r\n')).toContain('+PONG');
    } finally {
      await redis.stop();
    }
  });
});
