/**
 * Production behaviour against a real redis-server that the test kills,
 * freezes and restarts (a private server: the shared one is never touched).
 */
import { RedisBackend } from '../../src/redis.js';
import { startRedis } from '../harness/servers.js';
import { describeServerFaults } from '../support/server-faults.js';

describeServerFaults('RedisBackend faults', startRedis, (server, options) => new RedisBackend({ url: server.url, ...options }));
