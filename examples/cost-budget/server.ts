/**
 * A GraphQL Yoga server with operation cost budgets (Shopify-style) beside
 * one @rateLimit field.
 *
 *   npx tsx examples/cost-budget/server.ts                 # in-process budgets
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/cost-budget/server.ts   # shared by every process
 *   (PORT=0: any free port; default 4000)
 *
 *   curl -s localhost:4000/graphql -H 'content-type: application/json' -H 'x-user: ann' \
 *     -H 'x-graphql-cost-breakdown: 1' \
 *     -d '{"query":"{ products(first: 50) { edges { node { title } } } }"}'
 *
 * Each caller (`x-user`; `admin` is exempt) has a budget of 1000 units
 * restoring 50 per second; one operation may cost at most 1000. The shop
 * holds 12 products, so a query asking for 50 is charged 101 and refunded
 * what the missing 38 would have cost. Responses carry `extensions.cost`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createYoga } from 'graphql-yoga';
import { EXEMPTED, InMemoryBackend, type Backend } from '../../src/index.js';
import { RedisBackend } from '../../src/redis.js';
import { costBudget, rateLimitDirective } from '../../src/graphql/index.js';

const typeDefs = /* GraphQL */ `
  type Query {
    "Sized by first or last (one of them): a connection of that many products."
    products(first: Int, last: Int): ProductConnection! @listSize(slicingArguments: ["first", "last"], sizedFields: ["edges"])
    "A costly report: 50 units, and at most 2 per minute per caller."
    salesReport: Int @cost(weight: "50") @rateLimit(rate: "2/minute")
  }
  type Mutation {
    "Mutations cost 10, plus the product returned."
    addProduct(title: String!): Product
  }
  type ProductConnection { edges: [ProductEdge!]! }
  type ProductEdge { node: Product! }
  type Product { id: ID! title: String! }
`;

interface Context {
  user: string | null;
}

const products = Array.from({ length: 12 }, (_, i) => ({ id: String(i + 1), title: `Product ${i + 1}` }));

/** Starts the server on `port` (0: any free port) with budgets on `backend`; resolves with its URL. */
export async function startCostExample(port: number, backend: Backend): Promise<{ url: string; close(): Promise<void> }> {
  const identify = (context: Context): string | typeof EXEMPTED => (context.user === 'admin' ? EXEMPTED : context.user ?? 'anonymous');
  const budget = costBudget<Context>({ backend, identify, maxCost: 1000, maximumAvailable: 1000, restoreRate: 50 });
  const rateLimit = rateLimitDirective<Context>({ backend, identify });
  const schema = rateLimit.transformer(makeExecutableSchema({
    typeDefs: [budget.typeDefs, rateLimit.typeDefs, typeDefs],
    resolvers: {
      Query: {
        products: (_: unknown, args: { first?: number; last?: number }) => {
          const count = args.first ?? args.last ?? 0;
          const page = args.first !== undefined ? products.slice(0, count) : products.slice(-count);
          return { edges: page.map((node) => ({ node })) };
        },
        salesReport: () => 4200,
      },
      Mutation: { addProduct: (_: unknown, args: { title: string }) => ({ id: String(products.length + 1), title: args.title }) },
    },
  }));
  const yoga = createYoga<object, Context>({
    schema,
    context: ({ request }) => ({ user: request.headers.get('x-user') }),
    plugins: [budget.envelop()],
  });
  const server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    url,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await backend.close();
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const redisUrl = process.env.REDIS_URL;
  const backend = redisUrl !== undefined ? new RedisBackend({ url: redisUrl, namespace: 'cost-example' }) : new InMemoryBackend({ namespace: 'cost-example' });
  const { url, close } = await startCostExample(Number(process.env.PORT ?? 4000), backend);
  console.log(`GraphQL Yoga with cost budgets listening on ${url}`);
  process.once('SIGTERM', () => void close().finally(() => process.exit(0)));
  process.once('SIGINT', () => void close().finally(() => process.exit(0)));
}
