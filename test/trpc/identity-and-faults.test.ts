import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { initTRPC, TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { BackendConnectionError, InMemoryBackend } from '../../src/index.js';
import { clientAddress, rateLimit, rateLimitErrorFormatter, rateLimitResponseHeaders } from '../../src/trpc/index.js';

const nodeReq = (peer: string, forwarded?: string): { req: IncomingMessage } => ({
  req: { socket: { remoteAddress: peer }, headers: forwarded ? { 'x-forwarded-for': forwarded } : {} } as unknown as IncomingMessage,
});

describe('clientAddress', () => {
  it('uses the socket peer and ignores X-Forwarded-For unless proxies are trusted', () => {
    expect(clientAddress(nodeReq('203.0.113.9', '1.2.3.4'))).toBe('203.0.113.9');
    expect(clientAddress({})).toBeUndefined();
    expect(clientAddress({ req: new Request('http://x.test/', { headers: { 'x-forwarded-for': '1.2.3.4' } }) })).toBeUndefined();
  });

  it('trusts a number of hops', () => {
    const ctx = nodeReq('10.0.0.1', '6.6.6.6, 198.51.100.4, 10.0.0.9');
    expect(clientAddress(ctx, 1)).toBe('10.0.0.9');
    expect(clientAddress(ctx, 2)).toBe('198.51.100.4');
    expect(clientAddress(ctx, 10)).toBe('6.6.6.6'); // never past the first entry
    // A fetch Request has no peer: its nearest proxy is hop 0, so 1 hop reads the last entry.
    expect(clientAddress({ req: new Request('http://x.test/', { headers: { 'x-forwarded-for': '6.6.6.6, 198.51.100.4' } }) }, 1)).toBe('198.51.100.4');
  });

  it('trusts listed addresses and CIDR blocks (IPv4, IPv6, IPv4-mapped), walking from the peer', () => {
    const trust = ['10.0.0.0/8', '2001:db8::/32', '127.0.0.1'];
    expect(clientAddress(nodeReq('::ffff:10.1.2.3', '6.6.6.6, 198.51.100.4, 10.9.9.9'), trust)).toBe('198.51.100.4');
    expect(clientAddress(nodeReq('2001:db8::1', '198.51.100.5'), trust)).toBe('198.51.100.5');
    expect(clientAddress(nodeReq('192.0.2.1', '198.51.100.5'), trust)).toBe('192.0.2.1'); // untrusted peer: the header is ignored
    expect(clientAddress(nodeReq('127.0.0.1', '198.51.100.6'), (a) => a === '127.0.0.1')).toBe('198.51.100.6');
  });
});

const t = initTRPC.context<{ req: Request }>().create({ errorFormatter: rateLimitErrorFormatter });

describe('backend faults', () => {
  it('go to onError: 503 "Rate limiter unavailable" by default (fail closed, never a 429), allowed with onError "allow"', async () => {
    const broken = new InMemoryBackend({ namespace: 'broken' });
    await broken.close(); // every hit now fails with BackendConnectionError
    const seen: unknown[] = [];
    const router = t.router({
      closed: t.procedure.use(rateLimit({ rate: '5/second', backend: broken, identify: () => 'k' })).query(() => 'ran'),
      open: t.procedure.use(rateLimit({ rate: '5/second', backend: broken, identify: () => 'k', onError: 'allow' })).query(() => 'ran'),
      custom: t.procedure.use(rateLimit({
        rate: '5/second', backend: broken, identify: () => 'k',
        onError: (error) => { seen.push(error); return 250; },
      })).query(() => 'ran'),
    });
    const caller = t.createCallerFactory(router)({ req: new Request('http://x.test/') });
    const closed = await caller.closed().catch((e: unknown) => e) as TRPCError;
    expect(closed.code).toBe('SERVICE_UNAVAILABLE');
    expect(closed.message).toMatch(/^Rate limiter unavailable/);
    expect(await caller.open()).toBe('ran');
    const custom = await caller.custom().catch((e: unknown) => e) as TRPCError;
    expect(custom.code).toBe('SERVICE_UNAVAILABLE');
    expect(seen[0]).toBeInstanceOf(BackendConnectionError);
    // Not a rate limit: the formatter adds no data.rateLimit.
    expect(rateLimitErrorFormatter({ error: custom, shape: { code: -32603, message: '', data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503 } } }).data.rateLimit).toBeUndefined();
  });

  it('a missing client address is a clear INTERNAL_SERVER_ERROR, not a shared bucket', async () => {
    const router = t.router({ q: t.procedure.use(rateLimit({ rate: '5/second' })).query(() => 'ran') });
    const error = await t.createCallerFactory(router)({ req: new Request('http://x.test/') }).q().catch((e: unknown) => e) as TRPCError;
    expect(error.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error.message).toMatch(/no client address.*identify/);
  });
});

describe('rateLimitResponseHeaders', () => {
  it('gives responseMeta the headers of limited calls when the context has no response to write to', async () => {
    const backend = new InMemoryBackend({ namespace: 'response-meta', clock: () => 1_700_000_000_000 });
    const router = t.router({ q: t.procedure.use(rateLimit({ uid: 'rm', rate: '1/minute', backend, identify: () => 'k' })).query(() => 'ran') });
    const call = (): Promise<Response> => fetchRequestHandler({
      endpoint: '', req: new Request('http://x.test/q'), router,
      createContext: ({ req }) => ({ req }), // no resHeaders in the context
      responseMeta: ({ errors }) => ({ headers: rateLimitResponseHeaders(errors) }),
    });
    expect((await call()).headers.get('ratelimit')).toBeNull();
    const denied = await call();
    expect(denied.status).toBe(429);
    expect(denied.headers.get('retry-after')).toBe('40'); // 1_700_000_000_000 is 20 s into its minute
    expect(denied.headers.get('ratelimit-policy')).toBe('"rm";q=1');
    expect(denied.headers.get('ratelimit')).toBe('"rm";r=0;t=40');
    await backend.close();
  });
});
