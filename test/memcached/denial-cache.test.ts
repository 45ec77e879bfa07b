/**
 * Remembered denials on Memcached (`rememberDenials`, default on): once a
 * hit is denied, the same hits until its retry time are answered in this
 * process with no memcached command at all, with the numbers the store
 * would give; this process's reset, charge and refund end it at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedWindowStrategy, Rate, Throttle, TokenBucketStrategy } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { startMemcached, type MemcachedServer } from '../harness/servers.js';
import { closedAfterAll, rawCommand, requestFor } from './support.js';

let server: MemcachedServer;
beforeAll(async () => {
  server = await startMemcached();
});
afterAll(async () => {
  await server.stop();
});
const memcached = closedAfterAll();

/** memcached's own count of commands served (get + set + add + delete ...), from `stats`. */
async function commands(): Promise<number> {
  const stats = await rawCommand(server.location, 'stats\r\n', /END\r\n$/);
  let total = 0;
  for (const name of ['cmd_get', 'cmd_set', 'cmd_touch', 'delete_hits', 'delete_misses']) {
    total += Number(new RegExp(`STAT ${name} (\\d+)`).exec(stats)![1]);
  }
  return total;
}

describe('remembered denials on Memcached', () => {
  it('a denied flood costs no store call after the first denial, and answers as the store would', async () => {
    const clock = new ManualClock(1_700_000_000_500);
    const backend = memcached({ servers: server.location, namespace: 'flood', clock });
    const strict = memcached({ servers: server.location, namespace: 'flood-strict', clock, rememberDenials: false });
    const throttle = new Throttle({ uid: 'flood', rate: '5/second', backend, strategy: new TokenBucketStrategy() });
    const reference = new Throttle({ uid: 'flood', rate: '5/second', backend: strict, strategy: new TokenBucketStrategy() });
    for (let i = 0; i < 5; i++) {
      expect((await throttle.hit('k')).allowed).toBe(true);
      await reference.hit('k');
    }
    const first = await throttle.hit('k');
    expect(first.allowed).toBe(false);
    const before = await commands();
    for (let i = 0; i < 50; i++) {
      clock.advance(3); // 150 ms in all: still inside the 200 ms retry time
      const [local, fromStore] = [await throttle.hit('k'), await reference.hit('k')];
      expect(local.allowed).toBe(false);
      // Same numbers as a backend that asks memcached every time.
      expect({ ...local, uid: '' }).toEqual({ ...fromStore, uid: '' });
    }
    // The 50 reference hits went to memcached (a read each); the remembering backend sent none.
    expect(await commands() - before).toBe(50);
    // Past the retry time the store is asked again, and admits.
    clock.advance(60);
    const after = await commands();
    expect((await throttle.hit('k')).allowed).toBe(true);
    expect(await commands()).toBeGreaterThan(after);
  });

  it("this process's reset, refund and charge end a remembered denial at once", async () => {
    const clock = new ManualClock(1_700_000_100_000);
    const backend = memcached({ servers: server.location, namespace: 'forget', clock });
    const strategy = new FixedWindowStrategy();
    const rates = [Rate.parse('2/minute')];
    const hit = (cost = 1) => backend.apply(requestFor('forget', 'k', strategy, rates, cost));
    const op = (kind: 'refund' | 'charge', cost: number) => backend.apply({ ...requestFor('forget', 'k', strategy, rates, cost), op: kind });
    await hit();
    await hit();
    expect((await hit())[0]!.allowed).toBe(false);
    await op('refund', 1);
    expect((await hit())[0]).toMatchObject({ allowed: true, remaining: 0 });
    expect((await hit())[0]!.allowed).toBe(false);
    const request = requestFor('forget', 'k', strategy, rates, 1);
    await backend.reset(request.scope, request.keys);
    expect((await hit())[0]).toMatchObject({ allowed: true, remaining: 1 });
    expect((await hit(2))[0]!.allowed).toBe(false);
    await op('charge', 5);
    // The charge is seen: cost 1 is denied with remaining 0 (was 1 before the charge).
    expect((await hit())[0]).toMatchObject({ allowed: false, remaining: 0 });
  });

  it('rememberDenials must be a boolean', () => {
    expect(() => memcached({ servers: server.location, rememberDenials: 'yes' as never })).toThrow(/rememberDenials.*"yes"/);
  });
});
