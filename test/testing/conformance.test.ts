/**
 * The conformance kit passes on every built-in backend (in-process, Redis on
 * a real server, Memcached on a real server) and on `casBackend` over a
 * correct store: the kit itself finds no false differences.
 */
import { describe, inject, it } from 'vitest';
import { InMemoryBackend, casBackend, type Backend } from '../../src/index.js';
import { MemcachedBackend } from '../../src/memcached.js';
import { RedisBackend } from '../../src/redis.js';
import { describeBackendConformance, type ManualClock } from '../../src/testing/index.js';
import { MapStore } from './map-store.js';

// One in-process backend per kit setup: the concurrency check's "several backends" then share its store.
const inMemory = new WeakMap<ManualClock, Backend>();
describeBackendConformance('InMemoryBackend', ({ clock }) => {
  let backend = inMemory.get(clock);
  if (backend === undefined) inMemory.set(clock, (backend = new InMemoryBackend({ clock })));
  return backend;
}, { describe, it });

describeBackendConformance('MemcachedBackend', ({ clock, namespace }) =>
  new MemcachedBackend({ servers: inject('memcachedServers'), namespace, clock }), { describe, it });

// Without its denial cache: a denial Redis answers from memory keeps the `remaining` of the
// first denial (a documented lower bound), and the kit compares every field.
describeBackendConformance('RedisBackend', ({ clock, namespace }) => {
  const options = { url: inject('redisUrl'), namespace, clock, rememberDenials: false };
  return new RedisBackend(options);
}, { describe, it });

const stores = new WeakMap<ManualClock, MapStore>();
describeBackendConformance('casBackend over a map store', ({ clock, namespace }) => {
  let store = stores.get(clock);
  if (store === undefined) stores.set(clock, (store = new MapStore()));
  return casBackend(store, { namespace, clock });
}, { describe, it });
