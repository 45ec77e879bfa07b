/**
 * The `traffik/redis` entry: `RedisBackend` on ioredis (an optional peer
 * dependency, needed only by users of this entry).
 */
export { RedisBackend, type RedisBackendOptions } from './core/backends/redis/backend.js';
