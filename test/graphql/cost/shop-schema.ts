/**
 * A shop schema with `@cost` and `@listSize` where the cost tests need them,
 * and resolvers that return fewer items than asked (the shop holds 11
 * products, each with 1 variant), so actual costs differ from requested ones.
 */
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { costDirectivesTypeDefs } from '../../../src/graphql/index.js';

export const shopTypeDefs = /* GraphQL */ `
  type Query {
    shop: Shop
    products(first: Int, last: Int): ProductConnection! @listSize(slicingArguments: ["first", "last"], sizedFields: ["edges", "nodes"])
    search(term: String!, limit: Int = 5): [SearchResult!]! @listSize(slicingArguments: ["limit"])
    tags: [String!]!
    items: [Product!]! @listSize(assumedSize: 50)
    expensive: Int @cost(weight: "7")
    heavy: Int @cost(weight: "400")
    filtered(filter: ProductFilter, sort: String @cost(weight: "3")): [Product!]! @listSize(assumedSize: 4, requireOneSlicingArgument: false)
    node(id: ID!): Node
    report: Report
  }
  type Mutation {
    createProduct(input: ProductInput!): Product
  }
  type Subscription {
    productAdded: Product
  }
  type Shop { name: String! }
  type ProductConnection { edges: [ProductEdge!]! nodes: [Product!]! pageInfo: PageInfo! }
  type PageInfo { hasNextPage: Boolean! }
  type ProductEdge { cursor: String! node: Product! }
  interface Node { id: ID! }
  type Product implements Node {
    id: ID!
    title: String!
    price: Money
    variants(first: Int): VariantConnection! @listSize(slicingArguments: ["first"], sizedFields: ["edges"])
  }
  type VariantConnection { edges: [VariantEdge!]! }
  type VariantEdge { node: Variant! }
  type Variant { id: ID! sku: String! }
  type Money { amount: Float! }
  type Article implements Node { id: ID! title: String! author: Author! }
  type Author { name: String! }
  union SearchResult = Product | Article
  type Report @cost(weight: "5") { total: Int! }
  input ProductFilter { title: String vendor: VendorFilter @cost(weight: "2") }
  input VendorFilter { name: String @cost(weight: "1") }
  input ProductInput { title: String! tags: [String!] @cost(weight: "1") }
`;

/** How often resolvers ran: a refused operation must run none. */
export const calls = { heavy: 0 };

/** The number of products the shop holds: lists never return more. */
export const SHOP_SIZE = 11;

function product(i: number): Record<string, unknown> {
  return { __typename: 'Product', id: `p${i}`, title: `Product ${i}`, price: { amount: i }, variants: { edges: [{ node: { id: `v${i}`, sku: `sku-${i}` } }] } };
}

function products(count: number): Record<string, unknown>[] {
  return Array.from({ length: Math.min(count, SHOP_SIZE) }, (_, i) => product(i));
}

/** The shop schema with its resolvers; `extraTypeDefs` (e.g. `@rateLimit`'s SDL) are added. */
export function shopSchema(extraTypeDefs: string[] = []): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: [costDirectivesTypeDefs, ...extraTypeDefs, shopTypeDefs],
    resolvers: {
      Query: {
        shop: () => ({ name: 'Traffik shop' }),
        products: (_: unknown, args: { first?: number; last?: number }) => {
          const list = products(args.first ?? args.last ?? 0);
          return { edges: list.map((node) => ({ cursor: String(node['id']), node })), nodes: list, pageInfo: { hasNextPage: false } };
        },
        search: (_: unknown, args: { limit: number }) => [
          ...products(1), { __typename: 'Article', id: 'a1', title: 'News', author: { name: 'Ada' } },
        ].slice(0, args.limit),
        tags: () => ['new', 'sale'],
        items: () => products(3),
        expensive: () => 7,
        heavy: () => {
          calls.heavy++;
          return 400;
        },
        filtered: () => products(2),
        node: (_: unknown, args: { id: string }) => (args.id.startsWith('a') ? { __typename: 'Article', id: args.id, title: 'News', author: { name: 'Ada' } } : product(1)),
        report: () => ({ total: 3 }),
      },
      Mutation: { createProduct: (_: unknown, args: { input: { title: string } }) => ({ ...product(99), title: args.input.title }) },
      Subscription: {
        productAdded: {
          subscribe: async function* () { yield { productAdded: product(1) }; },
        },
      },
      Node: { __resolveType: (value: { __typename: string }) => value.__typename },
      SearchResult: { __resolveType: (value: { __typename: string }) => value.__typename },
    },
  });
}
