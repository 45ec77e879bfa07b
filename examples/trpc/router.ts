/**
 * The example app's router: a global per-address limit on every procedure,
 * per-procedure limits declared in meta, an input-priced mutation, a
 * concurrency-limited report and a rate-limited subscription.
 */
import type { IncomingMessage } from 'node:http';
import { initTRPC, tracked, TRPCError } from '@trpc/server';
import { InMemoryBackend, TokenBucketStrategy } from '../../src/index.js';
import { ConcurrencyLimitStrategy } from '../../src/core/strategies/concurrency-limit.js';
import { byUserOrAddress, rateLimit, rateLimitErrorFormatter, type RateLimitMeta } from '../../src/trpc/index.js';

/** What createContext gives every call: the request (for the address and the user) and the response (for headers). */
export interface Context {
  req: IncomingMessage;
  res?: unknown;
  user: string | undefined;
}

const backend = new InMemoryBackend({ namespace: 'example' });
const t = initTRPC.context<Context>().meta<{ rateLimit?: RateLimitMeta }>().create({ errorFormatter: rateLimitErrorFormatter });

/** Every call: at most 20 per 10 seconds per client address, RateLimit headers on every response. */
const base = t.procedure.use(rateLimit({ uid: 'global', rate: '20/10s', backend, headers: 'always' }));

/** Who is limited below: the user when signed in, else the client address (anonymous callers are limited too). */
const identify = byUserOrAddress<Context>(({ ctx }) => ctx.user);

/** Then each procedure's own limit from its meta. */
const procedure = base.use(rateLimit({ uid: 'per-procedure', backend, identify }));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const appRouter = t.router({
  hello: procedure
    .meta({ rateLimit: { rate: '3/5s' } })
    .input((v) => v as { name: string })
    .query(({ input }) => `hello, ${input.name}`),

  search: procedure
    .meta({ rateLimit: { rate: '2/second', strategy: new TokenBucketStrategy({ burstSize: 4 }) } })
    .query(() => ['a', 'b', 'c']),

  exportRows: procedure
    .meta({ rateLimit: { rate: '100/minute', cost: ({ input }) => (input as { rows: number }).rows } })
    .input((v) => v as { rows: number })
    .mutation(({ input }) => ({ exported: input.rows })),

  /** 3 failed logins per minute per user; successful logins give their unit back. */
  login: t.procedure
    .input((v) => v as { user: string; password: string })
    .use(rateLimit({ uid: 'login', rate: '3/minute', backend, identify: ({ input }) => input.user, refundOn: 'success' }))
    .mutation(({ input }) => {
      if (input.password !== 'let me in') throw new TRPCError({ code: 'UNAUTHORIZED', message: 'wrong password' });
      return { welcome: input.user };
    }),

  report: base
    .use(rateLimit({ uid: 'report', rate: '1/minute', strategy: new ConcurrencyLimitStrategy({ leaseMs: 5_000 }), backend, identify })) // renewed while the report runs
    .query(async () => { await sleep(300); return 'report ready'; }),

  ticks: t.procedure
    .use(rateLimit({
      uid: 'ticks', rate: '2/minute', backend, identify,
      messages: { rate: '2/second', onExceed: 'latest' },
    }))
    .subscription(async function* ({ signal }) {
      for (let i = 0; !signal?.aborted; i++) {
        yield tracked(String(i), { tick: i, at: Date.now() });
        await sleep(100);
      }
    }),
});

export type AppRouter = typeof appRouter;
