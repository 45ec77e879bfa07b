/**
 * The `traffik/memcached` entry: `MemcachedBackend`, limit state shared
 * through memcached (memjs 1.3, an optional peer dependency).
 */
export { MemcachedBackend, type MemcachedBackendOptions } from './core/backends/memcached/backend.js';
