/**
 * Vitest global setup: one redis-server and one memcached for the whole run,
 * on free ports, stopped at the end. Tests read their addresses with
 * `inject('redisUrl')` / `inject('memcachedServers')`. Tests that kill or
 * pause a server start their own with `startRedis()` / `startMemcached()`.
 */
import type { TestProject } from 'vitest/node';
import { startMemcached, startRedis } from './servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:<port>` of the shared redis-server. */
    redisUrl: string;
    /** `127.0.0.1:<port>` of the shared memcached. */
    memcachedServers: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startRedis();
  const memcached = await startMemcached();
  project.provide('redisUrl', redis.url);
  project.provide('memcachedServers', memcached.location);
  return async () => {
    await Promise.all([redis.stop(), memcached.stop()]);
  };
}
