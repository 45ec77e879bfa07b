/**
 * A user function that never settles (identify, a cost function) fails its
 * field after `functionTimeoutMs` with an error naming it, instead of
 * hanging the request forever. Directive (plain graphql()) and graphql-ws
 * (real server and client).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { graphql } from 'graphql';
import { InMemoryBackend } from '../../src/index.js';
import { rateLimitSubscriptions } from '../../src/graphql/ws/index.js';
import { limitedSchema } from './support.js';
import { connectRecordingClose, ManualClock, run, startServer, tickSchema, TickSource } from '../graphql-ws/support.js';

// graphql-ws (loaded by Node) and our source must share one graphql copy (see test/graphql-ws/hooks.test.ts).
vi.mock('graphql', () => import('graphql/index.js'));

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
const typeDefs = /* GraphQL */ `
  type Query {
    hello: String @rateLimit(rate: "10/minute")
    priced: String @rateLimit(rate: "10/minute", costFn: "hangs")
    items: [Item!]!
    free: String
  }
  type Item { name: String @rateLimit(rate: "10/minute") }
`;
const resolvers = { Query: { hello: () => 'world', priced: () => 'priced', items: () => [{ name: 'a' }, { name: 'b' }], free: () => 'free' } };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the directive', () => {
  it('an identify that never settles fails the limited fields, naming it; the rest resolves', async () => {
    const schema = limitedSchema(typeDefs, resolvers, { backend: new InMemoryBackend(), identify: never, costs: { hangs: () => 1 }, functionTimeoutMs: 40 });
    const started = Date.now();
    const result = await graphql({ schema, source: '{ hello free items { name } }', contextValue: {} });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result.data).toEqual({ hello: null, free: 'free', items: [{ name: null }, { name: null }] });
    expect(result.errors!.map((e) => e.message)).toContain(
      'identify (for Query.hello) did not settle within 40 ms (a function that never settles would hang the request)',
    );
  });

  it('a cost function that never settles fails its field, naming it', async () => {
    const schema = limitedSchema(typeDefs, resolvers, { backend: new InMemoryBackend(), costs: { hangs: never }, functionTimeoutMs: 40 });
    const result = await graphql({ schema, source: '{ priced hello }', contextValue: { user: 'u' } });
    expect(result.data).toEqual({ priced: null, hello: 'world' });
    expect(result.errors![0]!.message).toMatch(/^The cost function of Query\.priced did not settle within 40 ms/);
  });

  it('rejects a bad functionTimeoutMs at construction', () => {
    expect(() => limitedSchema(typeDefs, resolvers, { costs: { hangs: () => 1 }, functionTimeoutMs: 0 })).toThrow(/functionTimeoutMs must be a whole number of ms >= 1, got 0/);
  });
});

describe('graphql-ws', () => {
  it('an identify that never settles closes the socket (4500) naming it, instead of hanging the Subscribe', async () => {
    const server = await startServer(rateLimitSubscriptions({ schema: tickSchema(() => new TickSource(new ManualClock(), { count: 1 })) }, {
      identify: never, subscribe: { rate: '10/second' }, functionTimeoutMs: 40,
    }));
    cleanups.push(() => server.close());
    const client = connectRecordingClose(server.url);
    cleanups.push(() => client.dispose());
    await run(client, '{ hello }').finished;
    expect(client.closeReason()).toMatch(/^4500 rateLimitSubscriptions: identify did not settle within 40 ms/);
  });
});
