/**
 * A GraphQL Yoga server with the @rateLimit directive, on the in-process backend.
 *
 *   npx tsx examples/graphql/server.ts        # http://127.0.0.1:4000/graphql (PORT=0: any free port)
 *
 *   curl -s localhost:4000/graphql -H 'content-type: application/json' -H 'x-user: ann' \
 *     -d '{"query":"{ products(first: 5) { name price } }"}'
 *
 * Callers are told apart by the `x-user` header (`x-user: admin` is exempt);
 * callers without one by their client address (`defaultIdentify`), never
 * one budget shared by every anonymous caller.
 * Limits: `products` costs one unit per requested item, 20 per minute;
 * `Product.price` 3 per second and 30 per minute per caller (a list of
 * products is charged item by item, in one backend call); `quote` 1 per 10
 * seconds per product id. Each response carries `extensions.rateLimit`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createYoga } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import { EXEMPTED, InMemoryBackend } from '../../src/index.js';
import { defaultIdentify, rateLimitDirective, rateLimitStatusPlugin } from '../../src/graphql/index.js';

const typeDefs = /* GraphQL */ `
  type Query {
    "Costs one unit per requested product: 20 per minute."
    products(first: Int = 10): [Product!]! @rateLimit(rate: "20/minute", costFn: "perItem")
    "One quote per product every 10 seconds."
    quote(productId: ID!): Float @rateLimit(rate: "1/10s", identityArgs: ["productId"])
  }
  type Product {
    id: ID!
    name: String!
    "Burst 3 per second, at most 30 per minute."
    price: Float @rateLimit(rate: "3/second") @rateLimit(rate: "30/minute")
  }
`;

interface Context {
  user: string | null;
}

/** The example's schema, limited on `backend`. */
export function exampleSchema(backend = new InMemoryBackend()): GraphQLSchema {
  const rateLimit = rateLimitDirective<Context>({
    backend,
    identify: (ctx) => (ctx.user === 'admin' ? EXEMPTED : ctx.user !== null ? `user:${ctx.user}` : `ip:${defaultIdentify(ctx)}`),
    costs: { perItem: ({ args }) => (typeof args.first === 'number' ? args.first : 10) },
  });
  const schema = makeExecutableSchema({
    typeDefs: [rateLimit.typeDefs, typeDefs],
    resolvers: {
      Query: {
        products: (_: unknown, { first }: { first: number }) =>
          Array.from({ length: first }, (_v, i) => ({ id: String(i + 1), name: `Product ${i + 1}`, price: 10 + i })),
        quote: (_: unknown, { productId }: { productId: string }) => 100 + Number(productId),
      },
    },
  });
  return rateLimit.transformer(schema);
}

/** Starts the server on `port` (0: any free port) and resolves with its URL. */
export async function startExampleServer(port: number): Promise<{ url: string; close(): void }> {
  const yoga = createYoga<object, Context>({
    schema: exampleSchema(),
    context: ({ request }) => ({ user: request.headers.get('x-user') }),
    plugins: [rateLimitStatusPlugin()],
  });
  const server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return { url, close: () => server.close() };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { url } = await startExampleServer(Number(process.env.PORT ?? 4000));
  console.log(`GraphQL Yoga with @rateLimit listening on ${url}`);
}
