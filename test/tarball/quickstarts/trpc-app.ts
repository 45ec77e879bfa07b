/**
 * The tRPC quick start of README.md and docs/trpc.md, mirrored by hand
 * (docs/trpc.md's block is not complete enough to compile; the test checks
 * that the pages still show the lines copied here): the standalone HTTP
 * adapter with `req` and `res` in the context, `rateLimitErrorFormatter`,
 * one middleware on the base procedure and each procedure's limit in its
 * meta, state in Redis from a URL.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { initTRPC } from '@trpc/server';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import { TokenBucketStrategy } from 'traffik';
import { RedisBackend } from 'traffik/redis';
import { rateLimit, rateLimitErrorFormatter, type RateLimitMeta } from 'traffik/trpc';

const backend = new RedisBackend({ url: process.env.REDIS_URL!, namespace: 'api' });
const t = initTRPC
  .context<{ req: IncomingMessage; res: ServerResponse; userId?: string }>()
  .meta<{ rateLimit?: RateLimitMeta }>()
  .create({ errorFormatter: rateLimitErrorFormatter });

// one middleware on the base procedure, each procedure declaring its own limit:
const procedure = t.procedure.use(rateLimit({ backend }));

/** The app: `search`, limited to 10 a second with bursts of 20 per client address. */
export const appRouter = t.router({
  search: procedure.meta({ rateLimit: { rate: '10/second', strategy: new TokenBucketStrategy({ burstSize: 20 }) } })
    .query(() => ['result']),
});
/** The router's type, for the typed client. */
export type AppRouter = typeof appRouter;

/** The server, listening on PORT. */
export const server = createHTTPServer({ router: appRouter, createContext: ({ req, res }) => ({ req, res }) });
server.listen(Number(process.env.PORT));
