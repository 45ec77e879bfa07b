/**
 * Small servers for the tests of client-facing answers: a schema string
 * limited by the directive, served by real Apollo Server 5 or GraphQL Yoga
 * over HTTP on port 0, callers told apart by the `x-user` header.
 */
import { createServer } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createYoga } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import { rateLimitDirective, rateLimitStatusPlugin, type RateLimitDirectiveOptions } from '../../src/graphql/index.js';
import { listenOnFreePort, type RunningServer as TestServer } from '../support/http-server.js';

/** The context both servers build: the caller from `x-user`. */
export interface UserContext {
  user: string;
}

/** `typeDefs` limited by a directive made with `options` (identify: the `x-user` header unless given). */
export function limitedSchema(typeDefs: string, resolvers: Record<string, unknown>, options: RateLimitDirectiveOptions<UserContext> = {}): GraphQLSchema {
  const { typeDefs: directive, transformer } = rateLimitDirective<UserContext>({ identify: (ctx) => ctx.user, ...options });
  return transformer(makeExecutableSchema({ typeDefs: [directive, typeDefs], resolvers: resolvers as never }));
}

/** A running server: its URL and how to stop it. */
export type { RunningServer as TestServer } from '../support/http-server.js';

/** Apollo Server 5's standalone server with the status plugin. */
export async function apolloServer(schema: GraphQLSchema): Promise<TestServer> {
  const apollo = new ApolloServer<UserContext>({ schema, plugins: [rateLimitStatusPlugin()] });
  const { url } = await startStandaloneServer(apollo, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ user: String(req.headers['x-user'] ?? 'nobody') }),
  });
  return { url, stop: () => apollo.stop() };
}

/** GraphQL Yoga on Node's http with the status plugin (masking off: see fixtures.ts on vitest's two graphql copies). */
export async function yogaServer(schema: GraphQLSchema): Promise<TestServer> {
  const yoga = createYoga<object, UserContext>({
    schema, plugins: [rateLimitStatusPlugin()], logging: false, maskedErrors: false,
    context: ({ request }) => ({ user: request.headers.get('x-user') ?? 'nobody' }),
  });
  return listenOnFreePort(createServer(yoga));
}

/** A GraphQL response over HTTP: status, Retry-After and body. */
export interface HttpAnswer {
  status: number;
  retryAfter: string | null;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
    extensions?: Record<string, unknown>;
  };
}

/** POSTs `query` as `user`. */
export async function send(url: string, user: string, query: string, variables?: Record<string, unknown>): Promise<HttpAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-user': user },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as HttpAnswer['body'] };
}
