/**
 * A limit that cannot work fails when the schema is built, naming the field;
 * code-first settings (field and type `extensions`) work like the directive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createHandler } from 'graphql-http/lib/use/http';
// The CommonJS build, the copy @graphql-tools and graphql-http get from Node.
import { GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString, graphql } from 'graphql/index.js';
import { ConfigurationError, InMemoryBackend, TokenBucketStrategy } from '../../src/index.js';
import { rateLimitDirective, type RateLimitDirectiveOptions } from '../../src/graphql/index.js';
import { post } from './fixtures.js';

function build(sdl: string, options: RateLimitDirectiveOptions = {}): GraphQLSchema {
  const { typeDefs, transformer } = rateLimitDirective({ backend: new InMemoryBackend(), ...options });
  return transformer(makeExecutableSchema({ typeDefs: [typeDefs, sdl] }));
}

function buildError(sdl: string, options: RateLimitDirectiveOptions = {}): Error {
  try {
    build(sdl, options);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the schema build to fail');
}

describe('schema build errors name the field', () => {
  it('rejects an unknown costFn', () => {
    const error = buildError('type Query { search(first: Int): [Int] @rateLimit(rate: "10/minute", costFn: "byPage") }', {
      costs: { byPageSize: () => 1 },
    });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe('@rateLimit on Query.search: unknown costFn "byPage" (known: byPageSize)');
  });

  it('rejects an unknown strategy name and lists the known ones', () => {
    const error = buildError('type Query { a: Int @rateLimit(rate: "10/minute", strategy: "token-bukket") }');
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/^@rateLimit on Query\.a: unknown strategy "token-bukket" \(known: .*token-bucket/);
  });

  it('rejects a bad rate', () => {
    const error = buildError('type Query { a: Int } type Thing { b: Int @rateLimit(rate: "ten per minute") } extend type Query { t: Thing }');
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/^@rateLimit on Thing\.b: .*Invalid rate "ten per minute"/);
  });

  it('checks a limit on an interface field, naming the interface field', () => {
    const error = buildError('interface Node { id: ID @rateLimit(rate: "ten per second") } type A implements Node { id: ID } type Query { a: A }');
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/^@rateLimit on Node\.id: .*Invalid rate "ten per second"/);
  });

  it('rejects different limits inherited from two interfaces', () => {
    const error = buildError(
      'interface A { x: Int @rateLimit(rate: "1/second") } interface B { x: Int @rateLimit(rate: "2/second") } type T implements A & B { x: Int } type Query { t: T }',
    );
    expect(error.message).toBe('@rateLimit on T.x: inherits different limits from A.x and B.x; give T.x a limit of its own');
  });

  it('rejects the same limit given twice (getDirective would silently merge them into one)', () => {
    const twice = buildError('type Query { a: Int @rateLimit(rate: "5/second") @rateLimit(rate: "5/second") }');
    expect(twice).toBeInstanceOf(ConfigurationError);
    expect(twice.message).toMatch(/^@rateLimit on Query\.a: the same limit is given twice \(@rateLimit\(rate: "5\/second"\)\); two identical limits are one limit/);
    // Argument order does not make them different; on an object type too.
    expect(buildError('type Query { a: Int @rateLimit(rate: "5/second", cost: 2) @rateLimit(cost: 2, rate: "5/second") }').message)
      .toMatch(/^@rateLimit on Query\.a: the same limit is given twice/);
    expect(buildError('type Query @rateLimit(rate: "5/second") @rateLimit(rate: "5/second") { a: Int }').message)
      .toMatch(/^@rateLimit on Query: the same limit is given twice/);
    // Code-first: the same settings twice in a list.
    const Query = new GraphQLObjectType({
      name: 'Query',
      fields: { a: { type: GraphQLInt, extensions: { rateLimit: [{ rate: '5/second', cost: 1 }, { cost: 1, rate: '5/second', uid: null }] } } },
    });
    expect(() => rateLimitDirective({ backend: new InMemoryBackend() }).transformer(new GraphQLSchema({ query: Query })))
      .toThrow(/^@rateLimit on Query\.a: the same limit is given twice \(\{"rate":"5\/second","cost":1\}\)/);
    // Different rates (burst + sustained) stay one two-rate limit.
    expect(() => build('type Query { a: Int @rateLimit(rate: "5/second") @rateLimit(rate: "100/hour") }')).not.toThrow();
  });

  it('rejects cost together with costFn, and a negative cost', () => {
    expect(buildError('type Query { a: Int @rateLimit(rate: "1/second", cost: 2, costFn: "x") }', { costs: { x: () => 1 } }).message)
      .toBe('@rateLimit on Query.a: give cost or costFn, not both');
    expect(buildError('type Query { a: Int @rateLimit(rate: "1/second", cost: -1) }').message)
      .toBe('@rateLimit on Query.a: cost must be a whole number >= 0, got -1');
  });

  it('refuses to transform a schema twice (each resolution would be charged twice)', () => {
    const { typeDefs, transformer } = rateLimitDirective({ backend: new InMemoryBackend() });
    const once = transformer(makeExecutableSchema({ typeDefs: [typeDefs, 'type Query { a: Int @rateLimit(rate: "1/second") }'] }));
    expect(() => transformer(once)).toThrow(/Query\.a: this schema was already transformed/);
  });

  it('checks its own options', () => {
    expect(() => rateLimitDirective({ costFns: {} } as never)).toThrow(ConfigurationError);
    expect(() => rateLimitDirective({ name: 'rate-limit' })).toThrow(/name must be a GraphQL name/);
    expect(() => rateLimitDirective({ costs: { a: 3 as never } })).toThrow(/costs\.a must be a function/);
    expect(() => rateLimitDirective({ strategies: { a: {} as never } })).toThrow(/strategies\.a must implement/);
  });

  it('uses the configured directive name in its SDL and messages', () => {
    const { typeDefs } = rateLimitDirective({ name: 'limit' });
    expect(typeDefs).toBe(
      'directive @limit(rate: String!, cost: Int, costFn: String, uid: String, identityArgs: [String!], strategy: String) repeatable on FIELD_DEFINITION | OBJECT',
    );
    expect(buildError('type Query { a: Int @limit(rate: "nope") }', { name: 'limit' }).message).toMatch(/^@limit on Query\.a/);
  });
});

describe('a limit on an interface field', () => {
  const typeDefs = `
    interface Node { id: ID! cost: Int @rateLimit(rate: "3/minute") }
    type User implements Node { id: ID! cost: Int }
    type Comment implements Node { id: ID! cost: Int }
    type Post implements Node { id: ID! cost: Int @rateLimit(rate: "1/minute") }
    type Query { nodes: [Node!]! }
  `;
  const nodes = [{ __typename: 'User', id: 'u', cost: 1 }, { __typename: 'Comment', id: 'c', cost: 2 }, { __typename: 'Post', id: 'p', cost: 3 }];

  it('applies to the implementing types\' fields that have no limit of their own, one budget for all of them', async () => {
    const { typeDefs: directive, transformer } = rateLimitDirective({ backend: new InMemoryBackend({ clock: () => 1_000_000 }), identify: () => 'me' });
    const schema = transformer(makeExecutableSchema({
      typeDefs: [directive, typeDefs],
      resolvers: { Query: { nodes: () => nodes }, Node: { __resolveType: (n: { __typename: string }) => n.__typename } },
    }));
    const run = async () => graphql({ schema, source: '{ nodes { id cost } }', contextValue: {} });
    // User.cost and Comment.cost share Node.cost's 3/minute; Post.cost keeps its own 1/minute.
    const first = await run();
    expect(first.errors).toBeUndefined();
    expect(first.data).toEqual({ nodes: [{ id: 'u', cost: 1 }, { id: 'c', cost: 2 }, { id: 'p', cost: 3 }] });
    const second = await run();
    expect(second.data).toEqual({ nodes: [{ id: 'u', cost: 1 }, { id: 'c', cost: null }, { id: 'p', cost: null }] });
    // Each error names the resolved field and its limit.
    expect(second.errors!.map((e) => [e.path, e.extensions.coordinate, e.extensions.limit])).toEqual([
      [['nodes', 1, 'cost'], 'Comment.cost', 3],
      [['nodes', 2, 'cost'], 'Post.cost', 1],
    ]);
  });
});

describe('code-first settings over HTTP (graphql-http)', () => {
  const clock = { now: 1_700_000_000_000 };
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const { transformer } = rateLimitDirective<{ user: string }>({
      backend: new InMemoryBackend({ clock: () => clock.now }),
      identify: (ctx) => ctx.user,
      strategies: { bursty: new TokenBucketStrategy({ burstSize: 3 }) },
    });
    const Account = new GraphQLObjectType({
      name: 'Account',
      extensions: { rateLimit: { rate: '1/minute' } },
      fields: { balance: { type: GraphQLInt, resolve: () => 100 } },
    });
    const Query = new GraphQLObjectType({
      name: 'Query',
      fields: {
        ping: { type: GraphQLString, resolve: () => 'pong', extensions: { rateLimit: [{ rate: '2/second' }, { rate: '3/minute' }] } },
        bursty: { type: GraphQLString, resolve: () => 'ok', extensions: { rateLimit: { rate: '1/second', strategy: 'bursty' } } },
        account: { type: Account, resolve: () => ({}) },
      },
    });
    const schema = transformer(new GraphQLSchema({ query: Query }));
    server = createServer(createHandler({ schema, context: (req) => ({ user: String(req.raw.headers['x-user'] ?? 'anonymous') }) }));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  it('reads a list of limits from a field extension', async () => {
    const response = await post(url, 'cf', '{ a: ping b: ping c: ping }');
    expect(response.data).toEqual({ a: 'pong', b: 'pong', c: null });
    expect(response.errors![0]).toMatchObject({ path: ['c'], extensions: { code: 'RATE_LIMITED', limit: 2 } });
  });

  it('reads a type extension as a limit on each of its fields', async () => {
    expect((await post(url, 'cf', '{ account { balance } }')).data).toEqual({ account: { balance: 100 } });
    expect((await post(url, 'cf', '{ account { balance } }')).data).toEqual({ account: { balance: null } });
  });

  it('uses a strategy from the registry by name', async () => {
    const response = await post(url, 'cf-bursty', '{ a: bursty b: bursty c: bursty d: bursty }');
    // Token bucket of 3 refilled at 1/second: a burst of 3 passes.
    expect(response.data).toEqual({ a: 'ok', b: 'ok', c: 'ok', d: null });
    expect(response.errors![0]!.extensions).toMatchObject({ limit: 3, retryAfterMs: 1000 });
  });
});
