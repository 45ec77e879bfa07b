/**
 * Apollo Server 5 (standalone HTTP server) with the @rateLimit directive,
 * one budget per client address.
 *
 *   npx tsx examples/apollo/server.ts         # http://127.0.0.1:4000/ (PORT=0: any free port)
 *
 *   curl -s localhost:4000/ -H 'content-type: application/json' -d '{"query":"{ quote }"}'
 *
 * Apollo Server's context holds nothing of the request unless you put it
 * there: the directive's default identity (the client address) reads
 * `context.req`, so the context function returns `{ req }`. Without it the
 * first limited field fails with RATE_LIMITER_NO_CLIENT_ADDRESS, naming this
 * fix. Behind a proxy (TRUST_PROXY=1), the address comes from
 * X-Forwarded-For as your proxy wrote it. When every root field of an
 * operation is limited, the answer is HTTP 429 with Retry-After.
 */
import type { IncomingMessage } from 'node:http';
import { pathToFileURL } from 'node:url';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { InMemoryBackend, type Backend } from '../../src/index.js';
import { rateLimitDirective, rateLimitStatusPlugin, type TrustProxy } from '../../src/graphql/index.js';

const typeDefs = /* GraphQL */ `
  type Query {
    "3 quotes per minute per client address."
    quote: Float @rateLimit(rate: "3/minute")
    "Not limited."
    time: String
  }
`;

/** The context: the request, so that the default identity can read the client address. */
export interface Context {
  req: IncomingMessage;
}

/** The example's schema, limited on `backend`; `trustProxy` as for `rateLimitDirective`. */
export function apolloExampleSchema(backend: Backend, trustProxy?: TrustProxy): GraphQLSchema {
  const rateLimit = rateLimitDirective<Context>({ backend, ...(trustProxy !== undefined ? { trustProxy } : {}) });
  const schema = makeExecutableSchema({
    typeDefs: [rateLimit.typeDefs, typeDefs],
    resolvers: { Query: { quote: () => 42.5, time: () => new Date().toISOString() } },
  });
  return rateLimit.transformer(schema);
}

/** Starts the example on `port` (0: any free port) and resolves with its URL and a way to stop it. */
export async function startApolloExample(
  port: number, options: { backend?: Backend; trustProxy?: TrustProxy } = {},
): Promise<{ url: string; stop(): Promise<void> }> {
  const server = new ApolloServer<Context>({
    schema: apolloExampleSchema(options.backend ?? new InMemoryBackend(), options.trustProxy),
    plugins: [rateLimitStatusPlugin()],
  });
  const { url } = await startStandaloneServer(server, {
    listen: { port, host: '127.0.0.1' },
    // The one line the default identity needs: the request in the context.
    context: async ({ req }) => ({ req }),
  });
  return { url, stop: () => server.stop() };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const trustProxy = process.env.TRUST_PROXY === undefined ? undefined : Number(process.env.TRUST_PROXY);
  const { url } = await startApolloExample(Number(process.env.PORT ?? 4000), trustProxy === undefined ? {} : { trustProxy });
  console.log(`Apollo Server with @rateLimit listening on ${url}`);
}
