/**
 * Production behaviour against a real memcached that the test kills,
 * freezes and restarts (a private server: the shared one is never touched).
 */
import { MemcachedBackend } from '../../src/memcached.js';
import { startMemcached } from '../harness/servers.js';
import { describeServerFaults } from '../support/server-faults.js';

describeServerFaults('MemcachedBackend faults', startMemcached, (server, options) => new MemcachedBackend({ servers: server.location, ...options }));
