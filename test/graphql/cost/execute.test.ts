import { execute, parse, type ExecutionResult } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import { BackendError, EXEMPTED, FixedWindowStrategy, InMemoryBackend, LeakyBucketStrategy, type Backend } from '../../../src/index.js';
import { costBudget, rateLimitDirective } from '../../../src/graphql/index.js';
import { calls, shopSchema } from './shop-schema.js';

const clock = { now: 1_700_000_000_000 };
const backend = new InMemoryBackend({ namespace: 'cost-execute', clock: () => clock.now });
afterAll(() => backend.close());

type Context = { user?: string | typeof EXEMPTED };

describe('costBudget.wrapExecute (plain graphql-js execute)', () => {
  const budget = costBudget<Context>({ backend, uid: 'plain', identify: (context) => context.user ?? 'anonymous', maximumAvailable: 500, restoreRate: 10 });
  const run = budget.wrapExecute(execute);
  const schema = shopSchema();

  it('charges, runs, refunds and adds extensions.cost', async () => {
    const result = (await run({ schema, document: parse('{ products(first: 100) { nodes { id } } }'), contextValue: { user: 'u1' } })) as ExecutionResult;
    expect(result.extensions?.['cost']).toEqual({
      requestedQueryCost: 101, actualQueryCost: 12, throttleStatus: { maximumAvailable: 500, currentlyAvailable: 488, restoreRate: 10 },
    });
  });

  it('refuses without running when the budget lacks room', async () => {
    const before = calls.heavy;
    const first = (await run({ schema, document: parse('{ heavy }'), contextValue: { user: 'u2' } })) as ExecutionResult;
    expect(first.data).toEqual({ heavy: 400 });
    const second = (await run({ schema, document: parse('{ heavy }'), contextValue: { user: 'u2' } })) as ExecutionResult;
    expect(second.data).toBeUndefined();
    // 400 needed, 100 there, 10 restored per second.
    expect(second.errors?.[0]?.extensions).toMatchObject({ code: 'THROTTLED', retryAfterMs: 30_000 });
    expect(calls.heavy - before).toBe(1);
  });

  it('charges an EXEMPTED caller nothing, but still refuses what costs more than maxCost', async () => {
    const exempt = (await run({ schema, document: parse('{ heavy }'), contextValue: { user: EXEMPTED } })) as ExecutionResult;
    expect(exempt.data).toEqual({ heavy: 400 });
    expect(exempt.extensions?.['cost']).toEqual({ requestedQueryCost: 400, actualQueryCost: 400 });
    const tooDear = (await run({ schema, document: parse('{ heavy heavier: heavy }'), contextValue: { user: EXEMPTED } })) as ExecutionResult;
    expect(tooDear.extensions?.['cost']).toEqual({ requestedQueryCost: 800, actualQueryCost: null });
    expect(tooDear.errors?.[0]?.extensions?.['code']).toBe('MAX_COST_EXCEEDED');
  });
});

describe('costBudget: exempt callers', () => {
  it('run without any charge and without throttleStatus', async () => {
    const budget = costBudget<Context>({ backend, uid: 'exempt', identify: () => EXEMPTED, maximumAvailable: 1000, restoreRate: 50 });
    const run = budget.wrapExecute();
    const result = (await run({ schema: shopSchema(), document: parse('{ heavy heavier: heavy }'), contextValue: {} })) as ExecutionResult;
    expect(result.data).toEqual({ heavy: 400, heavier: 400 });
    expect(result.extensions?.['cost']).toEqual({ requestedQueryCost: 800, actualQueryCost: 800 });
  });
});

describe('costBudget: the store fails', () => {
  const broken: Backend = {
    namespace: 'broken',
    apply: () => Promise.reject(new BackendError('store down')),
    applyBatch: () => Promise.reject(new BackendError('store down')),
    reset: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };

  it("refuses with RATE_LIMITER_UNAVAILABLE (onError 'throttle'), never THROTTLED", async () => {
    const budget = costBudget({ backend: broken, uid: 'down', identify: () => 'u', onError: 'throttle' });
    const result = (await budget.wrapExecute()({ schema: shopSchema(), document: parse('{ report { total } }'), contextValue: {} })) as ExecutionResult;
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.extensions?.['code']).toBe('RATE_LIMITER_UNAVAILABLE');
    expect(result.errors?.[0]?.message).toMatch(/^Rate limiter unavailable/);
  });

  it("runs the operation with onError 'allow'", async () => {
    const budget = costBudget({ backend: broken, uid: 'down-allow', identify: () => 'u', onError: 'allow' });
    const result = (await budget.wrapExecute()({ schema: shopSchema(), document: parse('{ report { total } }'), contextValue: {} })) as ExecutionResult;
    expect(result.data).toEqual({ report: { total: 3 } });
    expect(result.extensions?.['cost']).toEqual({ requestedQueryCost: 5, actualQueryCost: 5 });
  });
});

describe('costBudget beside @rateLimit on one schema and backend', () => {
  it('charges the operation budget and the field limit each', async () => {
    const { typeDefs, transformer } = rateLimitDirective({ backend, identify: (context: Context) => String(context.user) });
    const schema = transformer(shopSchema([typeDefs, 'extend type Query { limited: Int @rateLimit(rate: "1/minute") }']));
    const budget = costBudget<Context>({ backend, uid: 'beside', identify: (context) => String(context.user), maximumAvailable: 100, restoreRate: 1 });
    const run = budget.wrapExecute();
    const first = (await run({ schema, document: parse('{ limited report { total } }'), contextValue: { user: 'b' } })) as ExecutionResult;
    expect(first.errors).toBeUndefined();
    expect(first.extensions?.['cost']).toMatchObject({ requestedQueryCost: 5, throttleStatus: { currentlyAvailable: 95 } });
    const second = (await run({ schema, document: parse('{ limited report { total } }'), contextValue: { user: 'b' } })) as ExecutionResult;
    expect(second.errors?.[0]?.extensions?.['code']).toBe('RATE_LIMITED');
    expect(second.data).toEqual({ limited: null, report: { total: 3 } });
    expect(second.extensions?.['cost']).toMatchObject({ throttleStatus: { currentlyAvailable: 90 } });
  });
});

describe('costBudget with another strategy', () => {
  it('charges and refunds on a leaky bucket too', async () => {
    const budget = costBudget<Context>({ backend, uid: 'leaky', identify: () => 'l', strategy: new LeakyBucketStrategy(), maximumAvailable: 100, restoreRate: 100 });
    const result = (await budget.wrapExecute()({ schema: shopSchema(), document: parse('{ products(first: 50) { nodes { id } } }'), contextValue: {} })) as ExecutionResult;
    // A leaky bucket holds `restoreRate` units: 51 charged, 39 given back.
    expect(result.extensions?.['cost']).toEqual({ requestedQueryCost: 51, actualQueryCost: 12, throttleStatus: { maximumAvailable: 100, currentlyAvailable: 88, restoreRate: 100 } });
  });
});

describe('costBudget: options are checked at construction', () => {
  it('names the wrong value', () => {
    expect(() => costBudget({ maximumAvailable: 0 })).toThrow(/maximumAvailable must be a whole number/);
    expect(() => costBudget({ restoreRate: 1.5 })).toThrow(/restoreRate/);
    expect(() => costBudget({ maxCost: -1 })).toThrow(/maxCost/);
    expect(() => costBudget({ objectCost: -1 })).toThrow(/objectCost must be a number >= 0/);
    expect(() => costBudget({ maxNodes: 0 })).toThrow(/maxNodes/);
    expect(() => costBudget({ breakdownHeader: 'bad header' })).toThrow(/breakdownHeader/);
    expect(() => costBudget({ identify: 'user' as never })).toThrow(/identify must be a function/);
    expect(() => costBudget({ maxcost: 10 } as never)).toThrow(/unknown option "maxcost"/);
    const noRefunds = { ...new FixedWindowStrategy(), name: 'no refunds', step: new FixedWindowStrategy().step, supportsChargeAndRefund: false };
    expect(() => costBudget({ strategy: noRefunds as never })).toThrow(/strategy must support charge and refund/);
  });
});
