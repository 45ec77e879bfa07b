/**
 * One schema with every kind of limit, and the servers that serve it over
 * real HTTP on port 0 (GraphQL Yoga and Apollo Server), for the directive's
 * tests. Every test uses its own caller (`x-user` header) so tests share no
 * budget; the backend's clock is `clock.now`, moved by the tests.
 */
import { createServer } from 'node:http';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { createYoga } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import { EXEMPTED, InMemoryBackend, type Backend } from '../../src/index.js';
import { rateLimitDirective, rateLimitStatusPlugin } from '../../src/graphql/index.js';
import { listenOnFreePort, type RunningServer } from '../support/http-server.js';

export const typeDefs = /* GraphQL */ `
  input OwnerRef { id: ID! }
  input OwnerInput { owner: OwnerRef! }

  type Query {
    hello: String @rateLimit(rate: "3/minute")
    free: String
    burst: String @rateLimit(rate: "2/second") @rateLimit(rate: "3/minute")
    search(first: Int): [String!] @rateLimit(rate: "10/minute", costFn: "byPageSize")
    heavy: String @rateLimit(rate: "10/minute", cost: 4)
    user(id: ID!): String @rateLimit(rate: "1/minute", identityArgs: ["id"])
    owned(input: OwnerInput!): String @rateLimit(rate: "1/minute", identityArgs: ["input.owner.id"])
    admin: Admin
    fallback: String @rateLimit(rate: "1/minute")
    sharedA: String @rateLimit(rate: "2/minute", uid: "shared")
    sharedB: String @rateLimit(rate: "2/minute", uid: "shared")
    items(n: Int!): [Item!]!
  }

  type Admin @rateLimit(rate: "1/minute") {
    a: Int
    b: Int @rateLimit(rate: "2/minute")
  }

  type Item {
    id: Int!
    name: String @rateLimit(rate: "5/minute")
  }

  type Subscription {
    ticks(n: Int!): Int @rateLimit(rate: "2/minute")
  }
`;

/** The GraphQL context both servers build: the caller from the `x-user` header. */
export interface Ctx {
  user: string | undefined;
}

/** A clock the tests move by hand. */
export interface ManualClock {
  now: number;
}

/** The test schema, limited on `backend` (default: an in-process one on `clock`). */
export function buildSchema(clock: ManualClock, backend: Backend = new InMemoryBackend({ clock: () => clock.now })): GraphQLSchema {
  const { typeDefs: directiveTypeDefs, transformer } = rateLimitDirective<Ctx>({
    backend,
    identify: (ctx) => (ctx.user === 'admin' ? EXEMPTED : ctx.user ?? 'anonymous'),
    costs: { byPageSize: ({ args }) => (typeof args.first === 'number' ? args.first : 10) },
    onLimit: (error, { coordinate }) => (coordinate === 'Query.fallback' ? 'cached value' : error),
  });
  const schema = makeExecutableSchema({
    typeDefs: [directiveTypeDefs, typeDefs],
    resolvers: {
      Query: {
        hello: () => 'world',
        free: () => 'free',
        burst: () => 'burst',
        search: (_: unknown, { first }: { first?: number }) => Array.from({ length: first ?? 10 }, (_v, i) => `r${i}`),
        heavy: () => 'heavy',
        user: (_: unknown, { id }: { id: string }) => `user ${id}`,
        owned: (_: unknown, { input }: { input: { owner: { id: string } } }) => `owned by ${input.owner.id}`,
        admin: () => ({ a: 1, b: 2 }),
        fallback: () => 'fresh value',
        sharedA: () => 'A',
        sharedB: () => 'B',
        items: (_: unknown, { n }: { n: number }) => Array.from({ length: n }, (_v, i) => ({ id: i, name: `item ${i}` })),
      },
      Subscription: {
        ticks: {
          subscribe: async function* (_: unknown, { n }: { n: number }) {
            for (let i = 1; i <= n; i++) yield { ticks: i };
          },
        },
      },
    },
  });
  return transformer(schema);
}

/** A running server: its URL and how to stop it. */
export type { RunningServer } from '../support/http-server.js';

/** GraphQL Yoga on Node's http, port 0, with the status plugin. */
export async function startYoga(schema: GraphQLSchema): Promise<RunningServer> {
  const yoga = createYoga<object, Ctx>({
    schema,
    context: ({ request }) => ({ user: request.headers.get('x-user') ?? undefined }),
    plugins: [rateLimitStatusPlugin()],
    logging: false,
    // Under vitest, src/ gets graphql's ESM build (index.mjs) while Yoga, loaded
    // by Node, gets the CommonJS one: two GraphQLError classes, so Yoga's mask
    // (an instanceof check) would hide every field error. Node and bundlers
    // resolve one copy; example.test.ts runs the Yoga example outside vitest
    // with masking on to show it.
    maskedErrors: false,
  });
  return listenOnFreePort(createServer(yoga));
}

/** Apollo Server's standalone HTTP server, port 0, with the status plugin. */
export async function startApollo(schema: GraphQLSchema): Promise<RunningServer> {
  const apollo = new ApolloServer<Ctx>({ schema, plugins: [rateLimitStatusPlugin()] });
  const { url } = await startStandaloneServer(apollo, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ user: typeof req.headers['x-user'] === 'string' ? req.headers['x-user'] : undefined }),
  });
  return { url, stop: () => apollo.stop() };
}

/** What a GraphQL response over HTTP holds. */
export interface Response {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

/** POSTs one operation as `user` and returns the parsed JSON body. */
export async function post(url: string, user: string, query: string, variables?: Record<string, unknown>): Promise<Response> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-user': user },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Response;
}
