import { execute, parse, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { actualCost, COST_DEFAULTS, operationCost } from '../../../src/graphql/index.js';
import { shopSchema } from './shop-schema.js';

const schema = shopSchema();

/** Runs `query` on the shop (11 products, 1 variant each) and prices what came back. */
async function run(query: string, variables?: Record<string, unknown>): Promise<{ requested: number; actual: number; result: ExecutionResult }> {
  const document = parse(query);
  const result = (await execute({ schema, document, variableValues: variables })) as ExecutionResult;
  expect(result.errors).toBeUndefined();
  return {
    requested: operationCost(schema, document, variables).requested,
    actual: actualCost(schema, document, variables, result.data, COST_DEFAULTS).actual,
    result,
  };
}

describe('actualCost: what ran, from the result', () => {
  it('counts the real list lengths of a connection', async () => {
    // 1 + 11 nodes x product 1; requested 1 + 251
    expect(await run('{ products(first: 251) { nodes { id } } }')).toMatchObject({ requested: 252, actual: 12 });
  });

  it('counts nested connections by what they returned', async () => {
    // 1 + 10 x (edge 1 + product 1 + connection 1 + 1 variant x (edge 1 + variant 1))
    const priced = await run('query($n: Int!) { products(first: $n) { edges { node { variants(first: 5) { edges { node { sku } } } } } } }', { n: 10 });
    expect(priced).toMatchObject({ requested: 131, actual: 51 });
  });

  it('counts each union member by the fields it resolved, with or without __typename', async () => {
    const selections = '... on Product { title variants(first: 2) { edges { node { id } } } } ... on Article { title author { name } }';
    // product (1 + variants connection 1 + 1 x (edge 1 + variant 1)) + article (1 + author 1)
    expect(await run(`{ search(term: "x", limit: 4) { ${selections} } }`)).toMatchObject({ requested: 24, actual: 6 });
    expect(await run(`{ search(term: "x", limit: 4) { kind: __typename ${selections} } }`)).toMatchObject({ requested: 24, actual: 6 });
  });

  it('equals the requested cost when everything asked for came back', async () => {
    expect(await run('mutation { createProduct(input: { title: "t", tags: ["a"] }) { id title } }')).toMatchObject({ requested: 12, actual: 12 });
    expect(await run('{ heavy report { total } }')).toMatchObject({ requested: 405, actual: 405 });
  });

  it('skips fields under a null parent and costs nothing without data', () => {
    const document = parse('{ shop { name } products(first: 2) { nodes { id price { amount } } } }');
    const data = { shop: null, products: { nodes: [{ id: 'p1', price: null }] } };
    // shop null: nothing; connection 1 + one node (1), its price null
    expect(actualCost(schema, document, {}, data, COST_DEFAULTS).actual).toBe(2);
    expect(actualCost(schema, document, {}, null, COST_DEFAULTS).actual).toBe(0);
  });

  it('counts nothing for the fields the errors point at (a failed resolver, a denied field)', () => {
    const document = parse('{ report { total } products(first: 3) { nodes { id price { amount } } } }');
    const data = { report: null, products: { nodes: [{ id: '1', price: { amount: 1 } }, { id: '2', price: null }, null] } };
    const errors = [{ path: ['report'] }, { path: ['products', 'nodes', 1, 'price'] }, { path: ['products', 'nodes', 2] }];
    // connection 1 + node 0 (1 + price 1) + node 1 (1, its price failed); report and node 2 failed
    expect(actualCost(schema, document, {}, data, COST_DEFAULTS, { errors }).actual).toBe(4);
    expect(actualCost(schema, document, {}, data, COST_DEFAULTS).actual).toBe(4);
    expect(actualCost(schema, parse('{ expensive heavy }'), {}, { expensive: null, heavy: 400 }, COST_DEFAULTS, { errors: [{ path: ['expensive'] }] }).actual).toBe(400);
  });

    it('itemises the actual cost per field coordinate', () => {
    const document = parse('{ products(first: 5) { edges { node { id } } } }');
    const data = { products: { edges: [{ node: { id: '1' } }, { node: { id: '2' } }] } };
    expect(actualCost(schema, document, {}, data, COST_DEFAULTS, { breakdown: true })).toEqual({
      actual: 5, fields: { 'Query.products': 1, 'ProductConnection.edges': 2, 'ProductEdge.node': 2 },
    });
  });
});
