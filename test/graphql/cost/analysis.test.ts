import { buildSchema, GraphQLInt, GraphQLList, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/core/index.js';
import { CostAnalysisError, costDirectivesTypeDefs, operationCost } from '../../../src/graphql/index.js';
import { shopSchema } from './shop-schema.js';

const schema = shopSchema();
const cost = (query: string, variables?: Record<string, unknown>): number => operationCost(schema, parse(query), variables).requested;

/**
 * Each row's cost is worked out by hand from the rules in docs/cost-budgets.md:
 * a field costs its @cost (a root mutation field 10) plus its arguments' @cost,
 * plus size x (type weight + selections) for the values it returns; objects
 * weigh 1, scalars and enums 0.
 */
const table: { name: string; query: string; variables?: Record<string, unknown>; cost: number }[] = [
  // connection 1 + 10 edges x (edge 1 + node 1)
  { name: 'a connection with first from a literal', query: '{ products(first: 10) { edges { node { id title } } } }', cost: 21 },
  // 1 + 10 x (edge 1 + product 1 + variants connection 1 + 5 x (edge 1 + variant 1))
  { name: 'nested connections, first from a variable', query: 'query($n: Int!) { products(first: $n) { edges { node { variants(first: 5) { edges { node { sku } } } } } } }', variables: { n: 10 }, cost: 131 },
  { name: 'nested connections, the same with literals', query: '{ products(first: 10) { edges { node { variants(first: 5) { edges { node { sku } } } } } } }', cost: 131 },
  { name: 'a variable with a default', query: 'query($n: Int = 4) { products(first: $n) { nodes { id } } }', cost: 5 },
  { name: 'the last slicing argument', query: '{ products(last: 6) { nodes { id } } }', cost: 7 },
  // 1 + 3 x (product 1 + price 1)
  { name: 'a named fragment', query: 'query { products(first: 3) { nodes { ...P } } } fragment P on Product { title price { amount } }', cost: 7 },
  // 4 x max(product 1 + variants (1 + 2 x 2), article 1 + author 1)
  {
    name: 'inline fragments on a union (the dearest member)',
    query: '{ search(term: "x", limit: 4) { ... on Product { title variants(first: 2) { edges { node { id } } } } ... on Article { title author { name } } } }',
    cost: 24,
  },
  {
    name: 'a union list sized by its argument\'s default (5)',
    query: '{ search(term: "x") { ... on Product { title variants(first: 2) { edges { node { id } } } } ... on Article { title author { name } } } }',
    cost: 30,
  },
  { name: 'an interface with a fragment on one implementation', query: '{ node(id: "1") { id ... on Product { variants(first: 3) { edges { node { id } } } } } }', cost: 8 },
  { name: 'an interface without fragments', query: '{ node(id: "1") { id } }', cost: 1 },
  { name: '@skip with a variable (skipped) and @include(if: false)', query: 'query($s: Boolean!) { expensive @skip(if: $s) report @include(if: false) { total } tags }', variables: { s: true }, cost: 0 },
  { name: '@skip with a variable (kept) and @include(if: true)', query: 'query($s: Boolean!) { expensive @skip(if: $s) report @include(if: true) { total } tags }', variables: { s: false }, cost: 12 },
  { name: '@include on a fragment spread', query: 'query($i: Boolean!) { ...E @include(if: $i) } fragment E on Query { expensive }', variables: { i: false }, cost: 0 },
  { name: 'aliases each count', query: '{ a: products(first: 2) { nodes { id } } b: products(first: 3) { nodes { id } } }', cost: 7 },
  // 10 (mutation) + 1 (tags input field) + 1 (the product)
  { name: 'a mutation with a costed input field', query: 'mutation { createProduct(input: { title: "t", tags: ["a"] }) { id title } }', cost: 12 },
  { name: 'a mutation without it', query: 'mutation { createProduct(input: { title: "t" }) { id } }', cost: 11 },
  // arguments: vendor 2 + name 1 + sort 3; list of assumedSize 4
  { name: '@cost on arguments and nested input fields', query: '{ filtered(filter: { vendor: { name: "acme" } }, sort: "title") { id } }', cost: 10 },
  { name: 'input fields through a variable', query: 'query($f: ProductFilter) { filtered(filter: $f) { id } }', variables: { f: { vendor: {} } }, cost: 6 },
  { name: 'an input object with no costed field given', query: 'query($f: ProductFilter) { filtered(filter: $f) { id } }', variables: { f: { title: 'x' } }, cost: 4 },
  { name: '@listSize(assumedSize)', query: '{ items { id } }', cost: 50 },
  { name: '@cost on an object type', query: '{ report { total } }', cost: 5 },
  { name: 'a plain list of scalars (default size 10 x 0)', query: '{ tags shop { name } }', cost: 1 },
  { name: 'introspection is free', query: '{ __schema { types { name fields { name } } } __type(name: "Query") { name } __typename }', cost: 0 },
  { name: 'an alias named __typename still costs', query: '{ __typename: expensive }', cost: 7 },
  { name: 'an alias named __schema still costs', query: '{ __schema: products(first: 10) { nodes { id } } }', cost: 11 },
  { name: 'a fragment and operation named like introspection still cost', query: 'query IntrospectionQuery { ...__type } fragment __type on Query { expensive }', cost: 7 },
  { name: 'a subscription', query: 'subscription { productAdded { id } }', cost: 1 },
];

describe('operationCost: hand-computed table', () => {
  for (const row of table) {
    it(row.name, () => {
      expect(cost(row.query, row.variables)).toBe(row.cost);
    });
  }

  it('picks the named operation of a document with several', () => {
    const document = parse('query A { expensive } query B { report { total } }');
    expect(operationCost(schema, document, {}, { operationName: 'B' }).requested).toBe(5);
    expect(operationCost(schema, document, {}, { operationName: 'A' }).requested).toBe(7);
  });

  it('costs nothing when the variables cannot be coerced (execution refuses the operation)', () => {
    expect(cost('query($n: Int!) { products(first: $n) { nodes { id } } }', { n: 'ten' })).toBe(0);
  });

  it('takes overridden defaults', () => {
    const document = parse('{ shop { name } tags mutationless: items { id } }');
    expect(operationCost(schema, document, {}, { objectCost: 2, scalarCost: 1 }).requested).toBe(2 + 1 + 10 + 50 * (2 + 1));
    expect(operationCost(schema, parse('mutation { createProduct(input: { title: "t" }) { id } }'), {}, { mutationCost: 3 }).requested).toBe(4);
    expect(operationCost(schema, parse('{ tags }'), {}, { scalarCost: 1, defaultListSize: 7 }).requested).toBe(7);
  });

  it('itemises the cost per field coordinate; the shares add up to the total', () => {
    const result = operationCost(schema, parse('{ products(first: 10) { edges { node { id title } } } report { total } }'), {}, { breakdown: true });
    expect(result.requested).toBe(26);
    expect(result.fields).toEqual({ 'Query.products': 1, 'ProductConnection.edges': 10, 'ProductEdge.node': 10, 'Query.report': 5 });
  });
});

describe('operationCost: @listSize errors', () => {
  it('refuses two slicing arguments when one is required', () => {
    expect(() => cost('{ products(first: 2, last: 3) { nodes { id } } }')).toThrow(CostAnalysisError);
    expect(() => cost('{ products(first: 2, last: 3) { nodes { id } } }')).toThrow(/only one slicing argument of products \(first, last\)/);
  });

  it('refuses a missing slicing argument, literal or variable', () => {
    expect(() => cost('{ products { nodes { id } } }')).toThrow(/Give one slicing argument of products/);
    expect(() => cost('query($n: Int) { products(first: $n) { nodes { id } } }', {})).toThrow(CostAnalysisError);
    try {
      cost('{ products { nodes { id } } }');
    } catch (error) {
      expect((error as CostAnalysisError).extensions['code']).toBe('COST_ANALYSIS_FAILED');
    }
  });

  it('refuses bad settings in the schema, naming the coordinate', () => {
    const build = (field: string) => makeExecutableSchema({ typeDefs: [costDirectivesTypeDefs, `type Query { ${field} } type Item { id: ID }`] });
    expect(() => operationCost(build('a: Int @cost(weight: "-1")'), parse('{ a }'))).toThrow(ConfigurationError);
    expect(() => operationCost(build('a: Int @cost(weight: "lots")'), parse('{ a }'))).toThrow(/@cost on Query.a: weight must be a number/);
    expect(() => operationCost(build('a(n: Int): [Item] @listSize(slicingArguments: ["first"])'), parse('{ a { id } }'))).toThrow(/slicing argument "first" is not an argument/);
    expect(() => operationCost(build('a: Item @listSize(sizedFields: ["edges"])'), parse('{ a { id } }'))).toThrow(/sized field "edges" is not a field of Item/);
  });
});

describe('operationCost: bounded work', () => {
  it('refuses a fragment bomb (10 fragments, each spreading the previous one twice) in under 50 ms', () => {
    const fragments = ['fragment F0 on Query { expensive report { total } }'];
    for (let i = 1; i < 10; i++) fragments.push(`fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`);
    const document = parse(`query { ...F9 } ${fragments.join(' ')}`);
    const fresh = shopSchema(); // its settings are read within the timed call too
    const started = performance.now();
    expect(() => operationCost(fresh, document)).toThrow(/more than 2000 selections/);
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('prices a large but legitimate operation', () => {
    const fields = Array.from({ length: 300 }, (_, i) => `f${i}: products(first: 1) { nodes { id title } }`).join(' ');
    expect(cost(`{ ${fields} }`)).toBe(300 * 2);
  });
});

describe('operationCost: code-first settings in extensions', () => {
  const item = new GraphQLObjectType({ name: 'Item', extensions: { cost: { weight: '2' } }, fields: { id: { type: GraphQLString } } });
  const codeFirst = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        score: { type: GraphQLInt, extensions: { cost: { weight: '4' } } },
        items: {
          type: new GraphQLList(item),
          args: { first: { type: GraphQLInt }, sort: { type: GraphQLString, extensions: { cost: { weight: '1' } } } },
          extensions: { listSize: { slicingArguments: ['first'] } },
        },
        few: { type: new GraphQLList(item), extensions: { listSize: { assumedSize: 3 } } },
      },
    }),
  });

  it('reads @cost and @listSize from extensions on fields, types and arguments', () => {
    expect(operationCost(codeFirst, parse('{ score }')).requested).toBe(4);
    expect(operationCost(codeFirst, parse('{ items(first: 5, sort: "id") { id } }')).requested).toBe(1 + 5 * 2);
    expect(operationCost(codeFirst, parse('{ few { id } }')).requested).toBe(6);
    expect(() => operationCost(codeFirst, parse('{ items { id } }'))).toThrow(CostAnalysisError);
  });
});

describe('operationCost: a schema built by graphql-js alone (buildSchema)', () => {
  it('reads the directives from the SDL', () => {
    const built = buildSchema(`${costDirectivesTypeDefs}
      type Query { products(first: Int): ProductConnection! @listSize(slicingArguments: ["first"], sizedFields: ["edges"]) }
      type ProductConnection { edges: [ProductEdge!]! }
      type ProductEdge { node: Product! }
      type Product { id: ID! score: Int @cost(weight: "2") }`);
    const result = operationCost(built, parse('query($n: Int!) { products(first: $n) { edges { node { id score } } } }'), { n: 10 }, { breakdown: true });
    expect(result.requested).toBe(1 + 10 * (1 + 1 + 2));
    expect(result.fields).toEqual({ 'Query.products': 1, 'ProductConnection.edges': 10, 'ProductEdge.node': 10, 'Product.score': 20 });
  });
});
