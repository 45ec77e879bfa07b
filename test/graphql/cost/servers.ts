/** Yoga and Apollo servers on port 0 with a cost budget, and a fetch client that returns status, headers and body. */
import { createServer } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import type { GraphQLSchema } from 'graphql';
import { createYoga } from 'graphql-yoga';
import type { CostBudget } from '../../../src/graphql/index.js';
import { listenOnFreePort, type RunningServer } from '../../support/http-server.js';

/** The context both servers build: the caller from the `x-user` header. */
export interface ShopContext {
  user?: string | undefined;
}

/** A running server: its URL and how to stop it. */
export type { RunningServer } from '../../support/http-server.js';

/** Starts a server for `schema` with `budget`'s plugin. */
export type StartServer = (schema: GraphQLSchema, budget: CostBudget) => Promise<RunningServer>;

/** GraphQL Yoga on Node's http, with the budget's envelop plugin. */
export const startYoga: StartServer = async (schema, budget) => {
  const yoga = createYoga<object, ShopContext>({
    schema,
    context: ({ request }) => ({ user: request.headers.get('x-user') ?? undefined }),
    plugins: [budget.envelop()],
    logging: false,
    // Vitest loads graphql twice (ESM for src/, CommonJS for Yoga): Yoga's mask would hide our errors.
    maskedErrors: false,
  });
  return listenOnFreePort(createServer(yoga));
};

/** Apollo Server's standalone HTTP server, with the budget's Apollo plugin. */
export const startApollo: StartServer = async (schema, budget) => {
  const apollo = new ApolloServer<ShopContext>({ schema, plugins: [budget.apollo()] });
  const { url } = await startStandaloneServer(apollo, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ user: typeof req.headers['x-user'] === 'string' ? req.headers['x-user'] : undefined }),
  });
  return { url, stop: () => apollo.stop() };
};

/** A parsed GraphQL response over HTTP. */
export interface HttpReply {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
    extensions?: Record<string, unknown>;
  };
}

/** POSTs `query` as `user` with fetch; `headers` are added to the request. */
export async function post(url: string, user: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<HttpReply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-user': user, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as HttpReply['body'] };
}
