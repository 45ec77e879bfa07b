/**
 * The tRPC benchmark's server process: the standalone adapter with the same
 * trivial query three ways: bare, behind traffik's rateLimit (in-process
 * backend, default identity = client address), and behind a hand-written
 * middleware on rate-limiter-flexible's RateLimiterMemory (the peer). Limits
 * are high enough that every call is allowed. Prints `PORT <n>`; exits when
 * stdin closes.
 */
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { initTRPC, TRPCError } from '@trpc/server';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { InMemoryBackend } from '../../src/index.js';
import { rateLimit, rateLimitErrorFormatter } from '../../src/trpc/index.js';

const t = initTRPC.context<{ req: IncomingMessage; res: unknown }>().create({ errorFormatter: rateLimitErrorFormatter });
const backend = new InMemoryBackend({ namespace: 'bench' });
const peer = new RateLimiterMemory({ points: 1_000_000_000, duration: 3600 });
const router = t.router({
  bare: t.procedure.query(() => 'ok'),
  /** The server process's CPU time so far (user + system, µs): the benchmark's cost measure. */
  cpu: t.procedure.query(() => { const { user, system } = process.cpuUsage(); return user + system; }),
  traffik: t.procedure.use(rateLimit({ uid: 'bench', rate: '100000000/hour', backend })).query(() => 'ok'),
  traffikHeaders: t.procedure.use(rateLimit({ uid: 'bench-h', rate: '100000000/hour', backend, headers: 'always' })).query(() => 'ok'),
  peer: t.procedure.use(async ({ ctx, next }) => {
    try {
      await peer.consume(ctx.req.socket.remoteAddress ?? 'unknown');
    } catch {
      throw new TRPCError({ code: 'TOO_MANY_REQUESTS' });
    }
    return next();
  }).query(() => 'ok'),
});
const server = createHTTPServer({ router, createContext: ({ req, res }) => ({ req, res }) });
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${(server.address() as AddressInfo).port}\n`));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
