/**
 * Runs examples/graphql/server.ts as its own Node process (tsx, outside
 * vitest: one graphql copy, Yoga's default error masking on) and talks to it
 * over HTTP: the RATE_LIMITED errors reach the client unmasked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post } from './fixtures.js';
import { startExample, type ServerProcess } from '../support/server-process.js';

describe('examples/graphql (GraphQL Yoga in its own process)', () => {
  let example: ServerProcess;
  let url: string;
  beforeAll(async () => {
    example = await startExample('examples/graphql/server.ts');
    url = example.url;
  });
  afterAll(() => example.stop());

  it('limits a list item by item and reports RATE_LIMITED through Yoga’s error masking', async () => {
    const response = await post(url, 'ex', '{ products(first: 5) { name price } }');
    const prices = (response.data!.products as { price: number | null }[]).map((p) => p.price);
    expect(prices).toEqual([10, 11, 12, null, null]);
    expect(response.errors).toHaveLength(2);
    expect(response.errors![0]).toMatchObject({
      path: ['products', 3, 'price'],
      extensions: { code: 'RATE_LIMITED', coordinate: 'Product.price', limit: 3, remaining: 0 },
    });
    expect(response.extensions!.rateLimit).toMatchObject({
      'Query.products': { limit: 20, remaining: 15, allowed: 1, denied: 0 },
      'Product.price': { allowed: 3, denied: 2 },
    });
  });

  it('keeps one budget per product id, and exempts admin', async () => {
    const response = await post(url, 'ex', '{ a: quote(productId: "1") b: quote(productId: "2") c: quote(productId: "1") }');
    expect(response.data).toEqual({ a: 101, b: 102, c: null });
    const admin = await post(url, 'admin', '{ a: quote(productId: "1") b: quote(productId: "1") }');
    expect(admin).toEqual({ data: { a: 101, b: 101 } });
  });
});
