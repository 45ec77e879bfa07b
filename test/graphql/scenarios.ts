/**
 * The directive's behaviour as a client sees it over HTTP. Run against each
 * server (Yoga, Apollo) so that the same schema is shown to behave the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, post, type ManualClock, type Response, type RunningServer } from './fixtures.js';

function rateLimited(response: Response): NonNullable<Response['errors']> {
  return (response.errors ?? []).filter((e) => e.extensions?.code === 'RATE_LIMITED');
}

export function describeDirectiveOverHttp(serverName: string, start: (schema: GraphQLSchema) => Promise<RunningServer>): void {
  describe(`@rateLimit over HTTP (${serverName})`, () => {
    const clock: ManualClock = { now: 1_700_000_000_000 };
    let server: RunningServer;
    beforeAll(async () => {
      server = await start(buildSchema(clock));
    });
    afterAll(async () => {
      await server.stop();
    });

    it('admits up to the limit, then fails the field with RATE_LIMITED and keeps the rest of the response', async () => {
      for (let i = 0; i < 3; i++) {
        const ok = await post(server.url, 'limits', '{ hello free }');
        expect(ok).toMatchObject({ data: { hello: 'world', free: 'free' } });
        expect(ok.errors).toBeUndefined();
      }
      const limited = await post(server.url, 'limits', '{ hello free }');
      expect(limited.data).toEqual({ hello: null, free: 'free' });
      expect(limited.errors).toHaveLength(1);
      const [error] = limited.errors!;
      expect(error!.path).toEqual(['hello']);
      expect(error!.message).toMatch(/Rate limit exceeded for Query\.hello/);
      const windowEnd = Math.ceil((clock.now + 1) / 60_000) * 60_000;
      expect(error!.extensions).toEqual({
        code: 'RATE_LIMITED', coordinate: 'Query.hello', limit: 3, remaining: 0,
        retryAfterMs: windowEnd - clock.now, resetAfterMs: windowEnd - clock.now,
      });
      // Another caller has its own budget.
      expect((await post(server.url, 'limits-other', '{ hello }')).data).toEqual({ hello: 'world' });
    });

    it('charges every alias of a field: aliasing is no way around the limit', async () => {
      const response = await post(server.url, 'aliases', '{ a: hello b: hello c: hello d: hello e: hello }');
      expect(response.data).toEqual({ a: 'world', b: 'world', c: 'world', d: null, e: null });
      expect(rateLimited(response).map((e) => e.path)).toEqual([['d'], ['e']]);
    });

    it('applies repeatable limits together: burst per second and sustained per minute', async () => {
      const start = clock.now;
      const first = await post(server.url, 'burst', '{ x: burst y: burst z: burst }');
      expect(first.data).toEqual({ x: 'burst', y: 'burst', z: null });
      // The denied hit is refused by the per-second rate and charges neither.
      const [denied] = rateLimited(first);
      expect(denied!.extensions).toMatchObject({ limit: 2, remaining: 0 });
      expect(denied!.extensions!.retryAfterMs).toBeLessThanOrEqual(1000);
      clock.now += 1000;
      const second = await post(server.url, 'burst', '{ x: burst y: burst }');
      // The minute allows one more (3/minute), the second would allow two.
      expect(second.data).toEqual({ x: 'burst', y: null });
      expect(rateLimited(second)[0]!.extensions).toMatchObject({ limit: 3, remaining: 0 });
      expect(rateLimited(second)[0]!.extensions!.retryAfterMs).toBeGreaterThan(1000);
      clock.now = start;
    });

    it('limits every field of an object type that has no limit of its own', async () => {
      const first = await post(server.url, 'object', '{ admin { a b } }');
      expect(first).toMatchObject({ data: { admin: { a: 1, b: 2 } } });
      const second = await post(server.url, 'object', '{ admin { a b } }');
      expect(second.data).toEqual({ admin: { a: null, b: 2 } });
      expect(rateLimited(second).map((e) => [e.path, e.extensions!.coordinate])).toEqual([[['admin', 'a'], 'Admin.a']]);
      const third = await post(server.url, 'object', '{ admin { b } }');
      expect(third.data).toEqual({ admin: { b: null } });
    });

    it('charges what a cost function computes from the arguments, literal or variable', async () => {
      const literal = await post(server.url, 'cost', '{ search(first: 6) }');
      expect(literal.data!.search).toHaveLength(6);
      expect(literal.extensions!.rateLimit).toMatchObject({ 'Query.search': { limit: 10, remaining: 4, allowed: 1, denied: 0 } });
      const tooMany = await post(server.url, 'cost', 'query ($n: Int) { search(first: $n) }', { n: 5 });
      expect(tooMany.data).toEqual({ search: null });
      expect(rateLimited(tooMany)[0]!.extensions).toMatchObject({ remaining: 4 });
      const fits = await post(server.url, 'cost', 'query ($n: Int) { search(first: $n) }', { n: 4 });
      expect(fits.data!.search).toHaveLength(4);
      const fixed = await post(server.url, 'cost-fixed', '{ a: heavy b: heavy c: heavy }');
      expect(fixed.data).toEqual({ a: 'heavy', b: 'heavy', c: null });
    });

    it('keeps a budget per value of identityArgs, nested paths included', async () => {
      const first = await post(server.url, 'ids', '{ a: user(id: "1") b: user(id: "2") c: user(id: "1") }');
      expect(first.data).toEqual({ a: 'user 1', b: 'user 2', c: null });
      const query = 'query ($id: ID!) { owned(input: { owner: { id: $id } }) }';
      expect((await post(server.url, 'ids', query, { id: 'x' })).data).toEqual({ owned: 'owned by x' });
      expect((await post(server.url, 'ids', query, { id: 'x' })).data).toEqual({ owned: null });
      expect((await post(server.url, 'ids', query, { id: 'y' })).data).toEqual({ owned: 'owned by y' });
    });

    it('never limits a caller that identify marks EXEMPTED', async () => {
      const response = await post(server.url, 'admin', '{ a: hello b: hello c: hello d: hello e: hello admin { a } }');
      expect(response.errors).toBeUndefined();
      expect(response.data).toMatchObject({ e: 'world', admin: { a: 1 } });
      expect(response.extensions?.rateLimit).toBeUndefined();
    });

    it('shares one budget between fields that name the same uid', async () => {
      const response = await post(server.url, 'uid', '{ sharedA sharedB again: sharedA }');
      expect(response.data).toEqual({ sharedA: 'A', sharedB: 'B', again: null });
    });

    it('serves what onLimit returns instead of the error', async () => {
      expect((await post(server.url, 'fallback', '{ fallback }')).data).toEqual({ fallback: 'fresh value' });
      const limited = await post(server.url, 'fallback', '{ fallback }');
      expect(limited).toMatchObject({ data: { fallback: 'cached value' } });
      expect(limited.errors).toBeUndefined();
    });

    it('reports each limited field in extensions.rateLimit, with a list charged item by item in order', async () => {
      const response = await post(server.url, 'status', '{ items(n: 8) { id name } hello }');
      const names = (response.data!.items as { name: string | null }[]).map((item) => item.name);
      expect(names).toEqual(['item 0', 'item 1', 'item 2', 'item 3', 'item 4', null, null, null]);
      expect(rateLimited(response).map((e) => e.path)).toEqual([['items', 5, 'name'], ['items', 6, 'name'], ['items', 7, 'name']]);
      expect(response.extensions!.rateLimit).toEqual({
        'Item.name': expect.objectContaining({ limit: 5, remaining: 0, allowed: 5, denied: 3 }),
        'Query.hello': expect.objectContaining({ limit: 3, remaining: 2, retryAfterMs: 0, allowed: 1, denied: 0 }),
      });
    });
  });
}
