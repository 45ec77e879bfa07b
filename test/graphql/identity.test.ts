/**
 * One identity rule for the directive: the client address of the request in
 * the context, else a clear error at the first request naming the fix; never
 * one budget silently shared by every caller. Real Apollo Server 5 and
 * GraphQL Yoga over HTTP; X-Forwarded-For counts only through a trusted proxy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { createYoga } from 'graphql-yoga';
import { graphql } from 'graphql';
import { InMemoryBackend } from '../../src/index.js';
import { NO_CLIENT_ADDRESS } from '../../src/graphql/index.js';
import { apolloExampleSchema, startApolloExample } from '../../examples/apollo/server.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

interface Body {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

async function ask(url: string, query: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Body; retryAfter: string | null }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as Body, retryAfter: response.headers.get('retry-after') };
}

/** How many of `n` `{ quote }` requests from one client (its X-Forwarded-For) got a quote. */
async function admitted(url: string, client: string, n: number): Promise<number> {
  let count = 0;
  for (let i = 0; i < n; i++) {
    const { body } = await ask(url, '{ quote }', { 'x-forwarded-for': client });
    if (body.data?.quote === 42.5) count++;
  }
  return count;
}

describe('Apollo Server 5 (its context holds no request unless you put it there)', () => {
  it('a context without req: the first request gets a clear error naming the fix, not a shared budget', async () => {
    const server = new ApolloServer({ schema: apolloExampleSchema(new InMemoryBackend()) });
    const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
    stops.push(() => server.stop());
    const { body } = await ask(url, '{ quote time }');
    expect(body.data).toMatchObject({ quote: null });
    expect(typeof body.data!.time).toBe('string');
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.extensions).toMatchObject({ code: NO_CLIENT_ADDRESS });
    expect(body.errors![0]!.message).toContain('context: async ({ req }) => ({ req })');
    expect(body.errors![0]!.message).toContain('identify');
  });

  it('with the documented context ({ req }) and a trusted proxy, three clients get three budgets', async () => {
    const { url, stop } = await startApolloExample(0, { trustProxy: 1 });
    stops.push(stop);
    expect(await admitted(url, '203.0.113.1', 5)).toBe(3);
    expect(await admitted(url, '203.0.113.2', 5)).toBe(3);
    expect(await admitted(url, '2001:db8::7', 5)).toBe(3);
  });

  it('IPv6 clients are one caller per /56 in any spelling, and ::ffff:a.b.c.d is the IPv4 client', async () => {
    const { url, stop } = await startApolloExample(0, { trustProxy: 1 });
    stops.push(stop);
    let rotating = 0;
    for (const address of ['2001:db8:0:1::1', '2001:DB8:0:1:0:0:0:2', '2001:db8:0:ff::9', '2001:0db8:0000:0042::1']) rotating += await admitted(url, address, 2);
    expect(rotating).toBe(3);
    expect(await admitted(url, '2001:db8:0:100::1', 4)).toBe(3);
    expect((await admitted(url, '192.0.2.9', 2)) + (await admitted(url, '::ffff:192.0.2.9', 2))).toBe(3);
  });

  it('without a trusted proxy X-Forwarded-For is ignored: a client cannot mint budgets by forging it', async () => {
    const { url, stop } = await startApolloExample(0);
    stops.push(stop);
    expect(await admitted(url, '203.0.113.1', 2)).toBe(2);
    expect(await admitted(url, '203.0.113.2', 2)).toBe(1);
    expect(await admitted(url, '203.0.113.3', 2)).toBe(0);
  });
});

describe('GraphQL Yoga on Node (its context holds req)', () => {
  it('needs no setup: the default identity reads the client address, through a trusted proxy', async () => {
    const yoga = createYoga({ schema: apolloExampleSchema(new InMemoryBackend(), 1), logging: false, maskedErrors: false });
    const server = createServer(yoga);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    stops.push(async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    expect(await admitted(url, '198.51.100.1', 4)).toBe(3);
    expect(await admitted(url, '198.51.100.2', 4)).toBe(3);
  });
});

describe('plain graphql()', () => {
  it('a contextValue without req fails the limited field with the fix in words; the rest resolves', async () => {
    const result = await graphql({ schema: apolloExampleSchema(new InMemoryBackend()), source: '{ quote time }', contextValue: {} });
    expect(result.data).toMatchObject({ quote: null });
    expect(result.errors![0]!.extensions).toMatchObject({ code: NO_CLIENT_ADDRESS });
    expect(result.errors![0]!.message).toContain('contextValue: { req }');
  });

  it('a contextValue with req: the socket address is the identity', async () => {
    const schema = apolloExampleSchema(new InMemoryBackend());
    const req = (address: string): unknown => ({ req: { headers: {}, socket: { remoteAddress: address } } });
    const quotes = async (address: string): Promise<unknown[]> => {
      const out: unknown[] = [];
      for (let i = 0; i < 4; i++) out.push((await graphql({ schema, source: '{ quote }', contextValue: req(address) })).data?.quote);
      return out;
    };
    expect(await quotes('10.0.0.1')).toEqual([42.5, 42.5, 42.5, null]);
    expect(await quotes('10.0.0.2')).toEqual([42.5, 42.5, 42.5, null]);
  });
});
