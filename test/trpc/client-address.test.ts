import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTRPC, type TRPCError } from '@trpc/server';
import { createTRPCClient, httpLink } from '@trpc/client';
import { ConfigurationError, InMemoryBackend } from '../../src/index.js';
import { addressIdentity, canonicalAddress, clientIdentity } from '../../src/core/client-address.js';
import { byUserOrAddress, rateLimit } from '../../src/trpc/index.js';
import { manualClock, startServer, type HttpContext, type RunningServer } from './servers.js';

describe('canonical client addresses', () => {
  it('writes IPv6 in one spelling (RFC 5952) and IPv4-mapped IPv6 as IPv4', () => {
    for (const spelling of ['2001:db8::1', '2001:DB8::1', '2001:0db8:0000:0000:0000:0000:0000:0001', '[2001:db8::1]', '2001:db8:0::0:1%eth0']) {
      expect(canonicalAddress(spelling)).toBe('2001:db8::1');
    }
    expect(canonicalAddress('::ffff:1.2.3.4')).toBe('1.2.3.4');
    expect(canonicalAddress('::FFFF:0102:0304')).toBe('1.2.3.4');
    expect(canonicalAddress('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1'); // the first longest zero run
    expect(canonicalAddress('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1'); // one zero group stays
    expect(canonicalAddress('64:ff9b::192.0.2.33')).toBe('64:ff9b::c000:221');
    expect(canonicalAddress('::')).toBe('::');
    for (const bad of ['1.2.3', '1.2.3.256', '1::2::3', '1:2:3:4:5:6:7:8:9', 'abc', '1.2.3.4::', '12345::']) {
      expect(canonicalAddress(bad)).toBeUndefined();
    }
  });

  it('groups IPv6 clients by their /56 (configurable) and keeps IPv4 whole', () => {
    expect(addressIdentity('2001:db8:1:2ff:aaaa::1')).toBe('2001:db8:1:200::/56');
    expect(addressIdentity('2001:db8:1:2ff:aaaa::1', 64)).toBe('2001:db8:1:2ff::/64');
    expect(addressIdentity('2001:db8:1:2ff:aaaa::1', 128)).toBe('2001:db8:1:2ff:aaaa::1');
    expect(addressIdentity('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(addressIdentity(' unix-socket ')).toBe('unix-socket');
    expect(() => clientIdentity({ ipv6Subnet: 0 }, 'rateLimit')).toThrow(ConfigurationError);
    expect(() => clientIdentity({ ipv6Subnet: 0 }, 'rateLimit')).toThrow(/ipv6Subnet must be .* got 0/);
    expect(() => clientIdentity({ trustProxy: ['10.0.0.0/33'] }, 'rateLimit')).toThrow(/trustProxy entry "10.0.0.0\/33"/);
  });
});

describe('the default tRPC identity over HTTP (a trusted proxy forwards the client address)', () => {
  const clock = manualClock();
  const backend = new InMemoryBackend({ namespace: 'trpc-address', clock: clock.now });
  const t = initTRPC.context<HttpContext>().create();
  const limit = (uid: string, rate: string, ipv6Subnet?: number) =>
    rateLimit({ uid, rate, backend, trustProxy: ['127.0.0.1', '::1'], ...(ipv6Subnet !== undefined ? { ipv6Subnet } : {}) });
  const router = t.router({
    rotating: t.procedure.use(limit('rotating', '10/minute')).query(() => 'ok'),
    perAddress: t.procedure.use(limit('per-address', '3/minute', 128)).query(() => 'ok'),
  });
  let server: RunningServer;
  beforeAll(async () => { server = await startServer(router); });
  afterAll(async () => { await server.close(); await backend.close(); });

  /** Calls `path` as the client `address` (sent as X-Forwarded-For); true when it was allowed. */
  async function callAs(path: 'rotating' | 'perAddress', address: string): Promise<boolean> {
    const client = createTRPCClient<typeof router>({ links: [httpLink({ url: server.url, headers: { 'x-forwarded-for': address } })] });
    return client[path].query().then(() => true, () => false);
  }

  it('40 calls from addresses rotating inside one /64 share one budget of 10', async () => {
    clock.advance(60_000 - (clock.now() % 60_000));
    const outcomes: boolean[] = [];
    for (let i = 0; i < 40; i++) outcomes.push(await callAs('rotating', `2001:db8:aa:bb:${((i * 7919) % 65536).toString(16)}::${i + 1}`));
    expect(outcomes.filter(Boolean)).toHaveLength(10);
    // Another /56 has its own budget.
    expect(await callAs('rotating', '2001:db8:aa:100::1')).toBe(true);
  });

  it('one address in five spellings is one budget, and ::ffff:1.2.3.4 is 1.2.3.4', async () => {
    clock.advance(60_000 - (clock.now() % 60_000));
    const spellings = ['2001:db8::7', '2001:DB8:0:0::7', '2001:0db8:0000:0000:0000:0000:0000:0007', '[2001:db8::7]', '2001:db8::7%eth0'];
    const outcomes: boolean[] = [];
    for (const spelling of spellings) outcomes.push(await callAs('perAddress', spelling));
    expect(outcomes).toEqual([true, true, true, false, false]);

    expect(await callAs('perAddress', '1.2.3.4')).toBe(true);
    expect(await callAs('perAddress', '::ffff:1.2.3.4')).toBe(true);
    expect(await callAs('perAddress', '::ffff:0102:0304')).toBe(true);
    expect(await callAs('perAddress', '1.2.3.4')).toBe(false);
  });
});

describe('byUserOrAddress (the recommended identify)', () => {
  type Ctx = { req: { socket: { remoteAddress?: string }; headers: Record<string, string> }; userId?: string };
  const t = initTRPC.context<Ctx>().create();
  const backend = new InMemoryBackend({ namespace: 'trpc-by-user' });
  afterAll(async () => { await backend.close(); });
  const router = t.router({
    q: t.procedure.use(rateLimit({ uid: 'by-user', rate: '2/minute', backend, identify: byUserOrAddress(({ ctx }) => ctx.userId) })).query(() => 'ok'),
  });
  const call = (userId: string | undefined, address?: string) =>
    t.createCallerFactory(router)({ req: { socket: { remoteAddress: address }, headers: {} }, ...(userId ? { userId } : {}) }).q().then(() => 'ok', (e: TRPCError) => e.code);

  it('limits a signed-in user by id wherever they connect from, and anonymous callers each by address', async () => {
    expect([await call('ann', '198.51.100.1'), await call('ann', '198.51.100.2'), await call('ann', '198.51.100.3')]).toEqual(['ok', 'ok', 'TOO_MANY_REQUESTS']);
    expect([await call(undefined, '198.51.100.1'), await call(undefined, '::ffff:198.51.100.1'), await call(undefined, '198.51.100.1')]).toEqual(['ok', 'ok', 'TOO_MANY_REQUESTS']);
    expect(await call(undefined, '198.51.100.9')).toBe('ok'); // another anonymous caller: its own budget
    expect(await call(undefined, undefined)).toBe('INTERNAL_SERVER_ERROR'); // neither: a clear error, not a shared bucket
  });
});
