/**
 * Helpers for the Memcached backend tests: backends closed after the file's
 * tests, strategies to run, requests built the way `Throttle` builds them,
 * and raw text-protocol commands to look at (or tamper with) what the
 * backend stored.
 */
import { createConnection } from 'node:net';
import { afterAll } from 'vitest';
import {
  FixedWindowStrategy, GCRAStrategy, LeakyBucketStrategy, LeakyBucketWithQueueStrategy, Rate,
  SlidingWindowCounterStrategy, SlidingWindowLogStrategy, TokenBucketStrategy, TokenBucketWithDebtStrategy,
  type AnyStrategy, type ApplyRequest, type StepArgs,
} from '../../src/index.js';
import { scopeKey, stateSuffix } from '../../src/extend.js';
import { MemcachedBackend } from '../../src/memcached.js';

/**
 * Call at the top of a test file: returns a `MemcachedBackend` factory, and
 * closes every backend it made once the file's tests are done.
 */
export function closedAfterAll(): (options: ConstructorParameters<typeof MemcachedBackend>[0]) => MemcachedBackend {
  const opened: MemcachedBackend[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((b) => b.close()));
  });
  return (options) => {
    const b = new MemcachedBackend(options);
    opened.push(b);
    return b;
  };
}

/** Every built-in strategy, with options that make each behave differently from its defaults. */
export function builtInStrategies(): AnyStrategy[] {
  return [
    new FixedWindowStrategy(),
    new SlidingWindowCounterStrategy(),
    new SlidingWindowLogStrategy(),
    new TokenBucketStrategy({ burstSize: 7 }),
    new TokenBucketWithDebtStrategy({ burstSize: 5, maxDebt: 3 }),
    new LeakyBucketStrategy(),
    new LeakyBucketWithQueueStrategy({ queueSize: 6 }),
    new GCRAStrategy({ burstToleranceMs: 250 }),
  ];
}

/** A request for `identity` as a throttle `uid` would send it. */
export function requestFor(
  uid: string, identity: string, strategy: AnyStrategy, rates: readonly Rate[], cost: number,
  extra: { dryRun?: boolean; args?: StepArgs } = {},
): ApplyRequest {
  const scope = scopeKey(uid, identity);
  return { strategy, scope, keys: rates.map((r) => scope + stateSuffix(strategy.name, r)), rates, cost, ...extra };
}

/** Sends one memcached text-protocol command to `location` ("host:port") and resolves with the reply. */
export function rawCommand(location: string, command: string | Buffer, until: RegExp = /\r\n$/): Promise<string> {
  const [host, port] = location.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port: Number(port) }, () => socket.write(command));
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply from ${location} to ${JSON.stringify(String(command).slice(0, 40))}`));
    }, 2000);
    socket.on('data', (data) => {
      reply += data.toString('latin1');
      if (until.test(reply)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(reply);
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Every key memcached at `location` holds (via `lru_crawler metadump all`). */
export async function storedKeys(location: string): Promise<string[]> {
  const reply = await rawCommand(location, 'lru_crawler metadump all\r\n', /END\r\n$/);
  return [...reply.matchAll(/^key=(\S+)/gm)].map((m) => decodeURIComponent(m[1]!));
}
